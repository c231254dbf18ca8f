//! The columns of the import format: an English name each (the export's
//! header), and the Japanese headers municipalities' spreadsheets use.

/// A column of the import format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    ExternalKey,
    Name,
    NameKana,
    OtherNames,
    LegalForm,
    Municipality,
    Serves,
    Topics,
    Forms,
    Description,
    PostalCode,
    Prefecture,
    City,
    Street,
    Latitude,
    Longitude,
    Phone,
    Email,
    Website,
    ContactPerson,
    OpeningHours,
    TargetAges,
    Languages,
    ParticipationIntent,
    Visibility,
    HiddenFields,
    PositionPublication,
}

impl Column {
    /// Every column, in the order the export writes them.
    pub const ALL: [Column; 27] = [
        Column::ExternalKey,
        Column::Name,
        Column::NameKana,
        Column::OtherNames,
        Column::LegalForm,
        Column::Municipality,
        Column::Serves,
        Column::Topics,
        Column::Forms,
        Column::Description,
        Column::PostalCode,
        Column::Prefecture,
        Column::City,
        Column::Street,
        Column::Latitude,
        Column::Longitude,
        Column::Phone,
        Column::Email,
        Column::Website,
        Column::ContactPerson,
        Column::OpeningHours,
        Column::TargetAges,
        Column::Languages,
        Column::ParticipationIntent,
        Column::Visibility,
        Column::HiddenFields,
        Column::PositionPublication,
    ];

    /// The columns a file must have.
    pub const REQUIRED: [Column; 4] = [
        Column::ExternalKey,
        Column::Name,
        Column::LegalForm,
        Column::Municipality,
    ];

    /// The English name: the export's header, and the `column` of a problem.
    pub fn name(self) -> &'static str {
        match self {
            Column::ExternalKey => "external_key",
            Column::Name => "name",
            Column::NameKana => "name_kana",
            Column::OtherNames => "other_names",
            Column::LegalForm => "legal_form",
            Column::Municipality => "municipality",
            Column::Serves => "serves",
            Column::Topics => "topics",
            Column::Forms => "forms",
            Column::Description => "description",
            Column::PostalCode => "postal_code",
            Column::Prefecture => "prefecture",
            Column::City => "city",
            Column::Street => "street",
            Column::Latitude => "latitude",
            Column::Longitude => "longitude",
            Column::Phone => "phone",
            Column::Email => "email",
            Column::Website => "website",
            Column::ContactPerson => "contact_person",
            Column::OpeningHours => "opening_hours",
            Column::TargetAges => "target_ages",
            Column::Languages => "languages",
            Column::ParticipationIntent => "participation_intent",
            Column::Visibility => "visibility",
            Column::HiddenFields => "hidden_fields",
            Column::PositionPublication => "position_publication",
        }
    }

    /// The Japanese (and other) headers accepted for the column.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::ExternalKey => &["外部キー", "管理番号", "ID"],
            Column::Name => &["名称", "団体名"],
            Column::NameKana => &["ふりがな", "フリガナ", "よみがな"],
            Column::OtherNames => &["別名", "通称"],
            Column::LegalForm => &["法人格", "団体種別"],
            Column::Municipality => &["所在市", "市町村"],
            Column::Serves => &["対象地域"],
            Column::Topics => &["テーマ", "対象課題"],
            Column::Forms => &["活動形態"],
            Column::Description => &["活動内容", "説明"],
            Column::PostalCode => &["郵便番号"],
            Column::Prefecture => &["都道府県"],
            Column::City => &["市区町村"],
            Column::Street => &["町名番地", "住所"],
            Column::Latitude => &["緯度"],
            Column::Longitude => &["経度"],
            Column::Phone => &["電話番号", "電話"],
            Column::Email => &["メールアドレス", "メール"],
            Column::Website => &["ウェブサイト", "ホームページ"],
            Column::ContactPerson => &["担当者"],
            Column::OpeningHours => &["開所時間", "活動日時"],
            Column::TargetAges => &["対象年齢"],
            Column::Languages => &["対応言語"],
            Column::ParticipationIntent => &["参画意向", "PF参画意向"],
            Column::Visibility => &["公開"],
            Column::HiddenFields => &["非公開項目"],
            Column::PositionPublication => &["位置の公開"],
        }
    }

    /// The column a header cell names: its English name or an alias, with
    /// surrounding spaces and a stray byte-order mark ignored.
    pub fn from_header(header: &str) -> Option<Column> {
        let header = header.trim().trim_start_matches('\u{feff}').trim();
        Column::ALL
            .into_iter()
            .find(|c| c.name() == header || c.aliases().contains(&header))
    }
}
