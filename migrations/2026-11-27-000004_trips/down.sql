DROP TABLE trip_measurements;
DROP TABLE trip_partners;
DROP TABLE trips;
