DROP VIEW kpi.referrals;
DROP TRIGGER referrals_count ON referrals;
DROP FUNCTION referrals_count_trigger();
DROP FUNCTION referral_count(referrals, integer);
DROP TABLE referral_counts;
DROP TABLE referrals;
DELETE FROM proposal_events WHERE kind IN ('referral_recorded', 'referral_updated');
