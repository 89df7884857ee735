//! The words of the pages, in Bahasa Indonesia first and English as the second language.

/// The language a page is read in: Bahasa Indonesia unless the reader chose English (the
/// `sepakat_lang` cookie). Serialized as `id` or `en`, the value of the page's `lang`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

/// `(key, Indonesian, English)`.
const WORDS: Words = Words(&[
    ("app_name", "Sepakat", "Sepakat"),
    (
        "tagline",
        "Sistem pencatatan perjanjian kerja sama pemanfaatan data kependudukan",
        "System of record for population-data agreements",
    ),
    ("sign_in", "Masuk", "Sign in"),
    ("sign_out", "Keluar", "Sign out"),
    ("accounts", "Akun", "Accounts"),
    ("import_agreements", "Impor PKS", "Import agreements"),
    ("change_password", "Kata sandi", "Password"),
    ("email", "Surel", "E-mail"),
    ("password", "Kata sandi", "Password"),
    ("inbox", "Menunggu tindakan Anda", "Waiting on you"),
    ("applications", "Permohonan", "Applications"),
    ("new_request", "Permohonan baru", "New request"),
    ("dashboard", "Dasbor", "Dashboard"),
    ("workflows", "Alur", "Workflows"),
    ("agency", "Lembaga pengguna", "Agency"),
    ("office", "Disdukcapil", "Disdukcapil office"),
    ("stage", "Tahap", "Stage"),
    ("days_in_stage", "Hari di tahap ini", "Days in stage"),
    ("sla", "Target (hari)", "Target (days)"),
    ("overdue", "Terlambat", "Overdue"),
    ("on_time", "Sesuai target", "On time"),
    (
        "nothing_waiting",
        "Tidak ada permohonan yang menunggu tindakan Anda.",
        "Nothing is waiting on you.",
    ),
    ("filter", "Saring", "Filter"),
    (
        "search",
        "Cari nama lembaga atau nomor surat",
        "Search agency name or letter number",
    ),
    ("all", "Semua", "All"),
    (
        "only_overdue",
        "Hanya evaluasi terlambat",
        "Only overdue evaluations",
    ),
    (
        "no_results",
        "Tidak ada permohonan yang cocok.",
        "No matching application.",
    ),
    ("timeline", "Riwayat", "Timeline"),
    ("documents", "Dokumen", "Documents"),
    ("letters", "Surat", "Letters"),
    (
        "actions",
        "Tindakan yang dapat Anda lakukan",
        "What you can do",
    ),
    (
        "no_actions",
        "Tidak ada tindakan untuk Anda pada tahap ini.",
        "Nothing for you to do at this stage.",
    ),
    ("next_step", "Langkah berikutnya", "Next step"),
    (
        "next_finished",
        "Permohonan ini telah selesai; tidak ada langkah berikutnya.",
        "This application has ended; there is no next step.",
    ),
    (
        "stage_due_by",
        "Batas waktu tahap ini:",
        "This stage is due by:",
    ),
    ("next_or", "atau", "or"),
    (
        "next_nobody",
        "Tahap ini tidak menunggu tindakan siapa pun.",
        "This stage waits on nobody.",
    ),
    (
        "blocked_by",
        "Belum dapat dilakukan karena:",
        "Not possible yet because:",
    ),
    ("comment", "Catatan", "Comment"),
    ("do", "Lakukan", "Do it"),
    ("upload", "Unggah dokumen", "Upload a document"),
    ("uploaded_by", "Diunggah oleh", "Uploaded by"),
    ("document_kind", "Jenis dokumen", "Document kind"),
    ("file", "Berkas (PDF, PNG, JPEG)", "File (PDF, PNG, JPEG)"),
    (
        "attestation",
        "Pernyataan jaringan tertutup",
        "Closed-network attestation",
    ),
    (
        "no_attestation",
        "Belum dicatat. User ID tidak dapat diterbitkan sebelum pernyataan ini dicatat.",
        "Not recorded. No user ID can be issued before it is.",
    ),
    (
        "record_attestation",
        "Catat pernyataan jaringan tertutup",
        "Record the closed-network attestation",
    ),
    ("connection", "Jenis koneksi", "Connection"),
    ("provider", "Penyedia jaringan", "Network provider"),
    ("cost_borne_by", "Biaya ditanggung oleh", "Cost borne by"),
    ("technical_contact", "Kontak teknis", "Technical contact"),
    ("grants", "Hak akses (user ID)", "Access grants (user IDs)"),
    ("no_grants", "Belum ada user ID.", "No user ID yet."),
    (
        "evaluation",
        "Evaluasi enam bulanan",
        "Six-monthly evaluation",
    ),
    ("next_due", "Evaluasi berikutnya", "Next evaluation"),
    ("evaluations", "Evaluasi (monev)", "Evaluations"),
    (
        "no_evaluations",
        "Belum ada evaluasi: evaluasi pertama dijadwalkan enam bulan setelah user ID produksi.",
        "No evaluation yet: the first is due six months after the production user ID.",
    ),
    ("due_on", "Jatuh tempo", "Due on"),
    ("evaluation_kind", "Jenis", "Kind"),
    ("evaluation_state", "Keadaan", "State"),
    ("outcome", "Hasil", "Outcome"),
    ("findings", "Temuan", "Findings"),
    (
        "data_balikan_met",
        "Kewajiban data balikan telah dipenuhi",
        "Return-data (data balikan) obligations met",
    ),
    (
        "record_evaluation",
        "Catat hasil evaluasi",
        "Record the outcome",
    ),
    (
        "open_evaluation",
        "Buka evaluasi insidental",
        "Open an incidental evaluation",
    ),
    ("reason", "Alasan", "Reason"),
    (
        "report_needed",
        "Hasil lulus memerlukan laporan semester (unggah sebagai \"Laporan semester lembaga pengguna\") yang diunggah sejak evaluasi dibuka.",
        "A pass needs the agency's semester report uploaded since the evaluation opened.",
    ),
    ("purpose", "Tujuan pemanfaatan data", "Purpose"),
    ("purpose_kind", "Jenis tujuan", "Kind of purpose"),
    ("legal_basis", "Dasar hukum", "Legal basis"),
    ("data_type", "Jenis data", "Data type"),
    ("access_method", "Metode akses", "Access method"),
    (
        "elements",
        "Elemen data yang diminta",
        "Data elements requested",
    ),
    ("justification", "Alasan kebutuhan", "Why it is needed"),
    (
        "protected_reason",
        "Dilindungi (Pasal 84 ayat (1) UU 24/2013): hanya untuk keamanan negara atau penegakan hukum, dengan persetujuan Menteri.",
        "Protected (Art. 84(1) UU 24/2013): only for state security or law enforcement, with the Minister's approval.",
    ),
    (
        "needs_minister",
        "Memerlukan persetujuan Menteri",
        "Needs the Minister's approval",
    ),
    (
        "data_balikan",
        "Data balikan yang akan diberikan (satu per baris)",
        "Return data you will provide (one per line)",
    ),
    (
        "duration",
        "Jangka waktu kerja sama (bulan)",
        "Duration (months)",
    ),
    ("workflow", "Alur", "Workflow"),
    ("submit", "Ajukan permohonan", "Submit the request"),
    (
        "fix_errors",
        "Permohonan belum dapat diajukan. Perbaiki isian yang ditandai.",
        "The request cannot be submitted yet. Fix the marked fields.",
    ),
    ("pks_review", "Reviu draf PKS", "PKS draft review"),
    (
        "confirm_destructive",
        "Saya memahami akibat tindakan ini dan ingin melanjutkannya.",
        "I understand what this action does and want to go ahead.",
    ),
    (
        "confirm_missing",
        "Tindakan ini tidak dijalankan: centang terlebih dahulu kotak konfirmasi di atas tombolnya.",
        "Nothing was done: tick the confirmation box above the action's button first.",
    ),
    (
        "addendum_open_form",
        "Isi usulan adendum: elemen data, metode akses dan batas akses harian yang baru",
        "Fill in the addendum: the new data elements, access method and daily quota",
    ),
    ("addendum_title", "Usulan adendum PKS", "Addendum proposal"),
    (
        "addendum_intro",
        "Tuliskan ruang lingkup yang berlaku setelah adendum ditandatangani, seluruhnya: elemen data yang tidak dicentang tidak lagi dapat diakses. Adendum disusun, direviu pasal demi pasal dan ditandatangani seperti PKS; user ID mengikuti ruang lingkup baru setelah adendum ditandatangani.",
        "Give the whole scope that holds once the addendum is signed: an element left unticked can no longer be accessed. The addendum is drafted, reviewed article by article and signed like the PKS; the user IDs follow the new scope once it is signed.",
    ),
    (
        "addendum_in_force",
        "Ruang lingkup yang berlaku",
        "Scope in force",
    ),
    (
        "daily_quota",
        "Batas akses harian (kali per hari)",
        "Daily quota (queries a day)",
    ),
    (
        "daily_quota_number",
        "Isi batas akses harian dengan bilangan bulat, misalnya 2500.",
        "Give the daily quota as a whole number, e.g. 2500.",
    ),
    (
        "addendum_reason",
        "Alasan perubahan",
        "Reason for the change",
    ),
    (
        "addendum_submit",
        "Ajukan usulan adendum",
        "Propose the addendum",
    ),
    (
        "addendum_closed",
        "Adendum hanya dapat diusulkan atas kerja sama yang aksesnya aktif dan tidak sedang dalam proses adendum lain.",
        "An addendum can be proposed only for a live agreement that has no other addendum in progress.",
    ),
    (
        "addendum_pending",
        "Adendum yang sedang diproses",
        "Addendum in progress",
    ),
    ("elements_count", "elemen data", "data elements"),
    (
        "decide_on_pks",
        "Baca setiap pasal draf PKS, lalu setujui atau kembalikan di halaman reviu PKS",
        "Read every article of the PKS draft, then approve or return it on the PKS review page",
    ),
    (
        "article_comment",
        "Catatan untuk pasal ini",
        "Comment on this article",
    ),
    ("approve", "Setujui draf", "Approve the draft"),
    (
        "return",
        "Kembalikan dengan catatan",
        "Return with comments",
    ),
    ("pks_edit", "Penyusunan draf PKS", "Drafting the PKS"),
    ("pks_draft", "Draf PKS", "PKS draft"),
    (
        "pks_not_drafted",
        "Draf belum diajukan. Berikut pasal-pasal baku yang disusun dari permohonan; koordinator dapat menyuntingnya sebelum mengajukan versi pertama.",
        "No draft submitted yet. These are the standard articles built from the request; the coordinator may edit them before submitting version 1.",
    ),
    ("pks_versions", "Versi draf", "Draft versions"),
    ("pks_approved", "disetujui", "approved"),
    ("pks_signed", "PKS ditandatangani", "PKS signed"),
    (
        "pks_changes_since",
        "Perubahan dibandingkan versi",
        "Changes since version",
    ),
    ("pks_before", "Sebelumnya", "Before"),
    ("pks_after", "Sekarang", "Now"),
    ("pks_removed", "Pasal yang dihapus", "Removed articles"),
    ("pks_comments", "Catatan peninjau", "Reviewer's comments"),
    (
        "pks_edit_link",
        "Sunting dan ajukan draf",
        "Edit and submit the draft",
    ),
    (
        "pks_pdf",
        "Unduh PDF draf PKS",
        "Download the PKS draft as PDF",
    ),
    (
        "pks_general_comment",
        "Catatan umum (wajib bila dikembalikan tanpa catatan per pasal)",
        "General comment (required when returning without comments on articles)",
    ),
    ("pks_title", "Judul pasal", "Article title"),
    (
        "pks_body",
        "Isi pasal: pisahkan ayat dengan baris kosong; tulis huruf pada baris sendiri (a. …, b. …)",
        "Article text: separate paragraphs with a blank line; put points on their own lines (a. …, b. …)",
    ),
    (
        "pks_new_article",
        "Tambah pasal baru (opsional)",
        "Add a new article (optional)",
    ),
    (
        "pks_new_position",
        "Sisipkan sebagai pasal nomor (kosongkan untuk menambahkannya di akhir)",
        "Insert as article number (leave empty to add it at the end)",
    ),
    ("pks_position", "Nomor urut pasal", "Article position"),
    (
        "pks_refer_as",
        "Pasal lain merujuk pasal ini dengan",
        "Other articles refer to this one with",
    ),
    (
        "pks_delete_hint",
        "Kosongkan judul dan isi sebuah pasal untuk menghapusnya; ubah nomor urutnya untuk memindahkannya. Pasal-pasal dinomori ulang secara berurutan, dan rujukan seperti [[pasal:kerahasiaan]] mengikuti nomor baru pasal yang dirujuk.",
        "Empty an article's title and text to remove it; change its position to move it. The articles are renumbered in order, and references such as [[pasal:kerahasiaan]] follow the new number of the article they name.",
    ),
    ("pks_submit", "Ajukan sebagai versi", "Submit as version"),
    (
        "pks_submit_comment",
        "Catatan pengajuan (opsional)",
        "Note with the submission (optional)",
    ),
    (
        "pks_fix_articles",
        "Draf belum dapat diajukan. Perbaiki pasal yang ditandai.",
        "The draft cannot be submitted yet. Fix the marked articles.",
    ),
    (
        "pks_answering",
        "Catatan yang perlu ditanggapi",
        "Comments to answer",
    ),
    ("funnel", "Permohonan per tahap", "Applications per stage"),
    ("median", "Median", "Median"),
    ("target", "target", "target"),
    ("days", "hari", "days"),
    (
        "past_target",
        "Melewati target tahap",
        "Past their stage's target",
    ),
    ("past_target_short", "lewat target", "past target"),
    (
        "only_late",
        "Hanya yang melewati target tahap",
        "Only past their stage's target",
    ),
    ("applications_found", "permohonan", "applications"),
    (
        "days_note",
        "Hari per tahap: median dan persentil ke-90 dari lama setiap tahap, termasuk permohonan yang masih menunggu. Hari dihitung per tanggal kalender (UTC); lebih dari 30 hari dibulatkan per minggu, lebih dari 6 bulan per bulan.",
        "Days per stage: the median and 90th percentile of how long each stage took, including applications still waiting. Days are counted by calendar date (UTC); beyond 30 days they are rounded to the week, beyond six months to the month.",
    ),
    (
        "median_days",
        "Median hari per tahap",
        "Median days per stage",
    ),
    (
        "blocked_attestation",
        "Terhambat pernyataan jaringan tertutup",
        "Blocked on the network attestation",
    ),
    (
        "blocked_attestation_help",
        "Akses sudah disetujui, tetapi user ID belum dapat diterbitkan karena jaringan belum dinyatakan tertutup dan aman.",
        "Access approved, but no user ID can be issued: the network is not attested yet.",
    ),
    (
        "evaluations_due",
        "Evaluasi jatuh tempo dalam 30 hari atau sudah lewat",
        "Evaluations due within 30 days or past due",
    ),
    (
        "evaluations_overdue",
        "Evaluasi terlambat",
        "Evaluations overdue",
    ),
    (
        "grants_ending",
        "Permohonan dengan hak akses berakhir dalam 90 hari",
        "Applications with a grant ending within 90 days",
    ),
    ("language", "English", "Bahasa Indonesia"),
    ("role", "Peran", "Role"),
    ("version", "Versi", "Version"),
    ("number", "Nomor", "Number"),
    ("date", "Tanggal", "Date"),
    ("who", "Oleh", "By"),
    ("what", "Kejadian", "What"),
    (
        "wrong_credentials",
        "Surel atau kata sandi salah.",
        "Wrong e-mail or password.",
    ),
    (
        "too_many",
        "Terlalu banyak percobaan. Coba lagi nanti.",
        "Too many attempts. Try again later.",
    ),
    (
        "sign_in_form_stale",
        "Formulir masuk tidak sah atau kedaluwarsa. Silakan isi kembali formulir di halaman ini.",
        "The sign-in form was not valid or has expired. Please fill in the form on this page again.",
    ),
    (
        "stale",
        "Permohonan telah berubah sejak halaman dibuka. Periksa kembali lalu ulangi.",
        "The application changed since you opened it. Check it and try again.",
    ),
    ("done", "Berhasil disimpan.", "Saved."),
    ("skip", "Lompat ke isi", "Skip to content"),
    ("not_found", "Halaman tidak ditemukan", "Page not found"),
    (
        "not_found_help",
        "Alamat ini tidak ada, atau permohonan yang dicari tidak dapat Anda lihat.",
        "Nothing is at this address, or the application is not visible to you.",
    ),
    (
        "request_failed",
        "Permintaan tidak dapat diproses",
        "The request could not be completed",
    ),
    (
        "unreadable_request",
        "Isian formulir tidak dapat dibaca. Muat ulang halaman lalu coba lagi.",
        "The form could not be read. Reload the page and try again.",
    ),
    (
        "back_home",
        "Kembali ke halaman awal",
        "Back to the start page",
    ),
    ("preview", "Pratinjau", "Preview"),
    ("pdf", "PDF", "PDF"),
    (
        "draft_letter",
        "draf, belum bernomor",
        "draft, not numbered yet",
    ),
    ("required", "wajib diisi", "is required"),
    ("verification_code", "Kode verifikasi", "Verification code"),
    ("next_page", "Halaman berikutnya", "Next page"),
    ("issue_letter", "Terbitkan (beri nomor)", "Issue (number)"),
    (
        "issue_letter_help",
        "Surat diberi nomor dan tanggal sekarang, lalu isinya dibekukan: cetak, tandatangani, lalu unggah pindaiannya. Nomor yang sudah terbit tidak dapat diubah.",
        "The letter takes its number and today's date now, and its content is frozen: print it, have it signed, then upload the scan. An issued number cannot be changed.",
    ),
    ("issue_button", "Terbitkan surat", "Issue the letter"),
    (
        "fix_attestation",
        "Pernyataan belum dapat dicatat. Perbaiki isian yang ditandai.",
        "The attestation cannot be recorded yet. Fix the marked fields.",
    ),
    ("data_balikan_short", "Data balikan", "Return data"),
    ("valid_until", "berlaku s.d.", "valid until"),
]);

/// A table of page words: key, formal Indonesian, English. Each page family that has words
/// of its own keeps its table beside its handlers.
pub struct Words(pub &'static [(&'static str, &'static str, &'static str)]);

impl Words {
    /// `key` in `lang` (English for `en`, Indonesian otherwise), if the table has it.
    pub fn get(&self, lang: Lang, key: &str) -> Option<&'static str> {
        self.0
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, id, en)| if lang == Lang::En { *en } else { *id })
    }

    /// `key` in `lang`; `?` for a key the table lacks.
    pub fn word(&self, lang: Lang, key: &str) -> &'static str {
        self.get(lang, key).unwrap_or("?")
    }

    /// All words in `lang`, for a template's `t` object.
    pub fn all(&self, lang: Lang) -> serde_json::Map<String, serde_json::Value> {
        self.0
            .iter()
            .map(|(k, id, en)| {
                (
                    k.to_string(),
                    serde_json::Value::from(if lang == Lang::En { *en } else { *id }),
                )
            })
            .collect()
    }

    /// The refusal of a page to the viewer's role (403), worded by `key` in both languages.
    pub fn role_refused(&self, key: &str) -> crate::problem::ApiError {
        crate::problem::ApiError::Forbidden {
            items: vec![crate::problem::ApiError::field(
                "role",
                "role_not_allowed",
                self.word(Lang::En, key),
                self.word(Lang::Id, key),
            )],
        }
    }

    /// Panics unless every key is unique and has both languages (each table's test).
    #[cfg(test)]
    pub fn assert_complete(&self) {
        let mut keys: Vec<_> = self.0.iter().map(|w| w.0).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key appears twice");
        for (k, id, en) in self.0 {
            assert!(!id.is_empty() && !en.is_empty(), "`{k}` lacks a language");
        }
    }
}

pub fn word(lang: Lang, key: &str) -> &'static str {
    WORDS.word(lang, key)
}

/// All words of one language, for a template's `t` object.
pub fn all(lang: Lang) -> serde_json::Map<String, serde_json::Value> {
    WORDS.all(lang)
}

#[cfg(test)]
mod tests {
    use super::Lang;

    /// The lists' windows are the core's; the words that name them must say the same days.
    #[test]
    fn the_windows_named_are_the_cores() {
        use sepakat_core::calendar::{DUE_SOON_DAYS, ENDING_SOON_DAYS};
        for lang in [Lang::Id, Lang::En] {
            let due = super::word(lang, "evaluations_due");
            assert!(due.contains(&format!(" {DUE_SOON_DAYS} ")), "{due}");
            let ending = super::word(lang, "grants_ending");
            assert!(
                ending.contains(&format!(" {ENDING_SOON_DAYS} ")),
                "{ending}"
            );
        }
    }

    #[test]
    fn keys_are_unique_and_translated() {
        super::WORDS.assert_complete();
        assert_eq!(super::word(Lang::En, "sign_in"), "Sign in");
        assert_eq!(super::word(Lang::Id, "sign_in"), "Masuk");
    }
}
