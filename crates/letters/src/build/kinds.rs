//! Each letter's own part of its context: its issuer, signatory, addressee, copies, the letters
//! it cites and the fields only its template reads. [`super::build_context`] builds the part all
//! letters share and calls the one for the letter asked for.

use super::*;

pub(super) fn surat_permohonan(c: &Common, draft: &mut Draft) {
    draft.ctx.nature = "Segera".into();
    draft.ctx.attachment = berkas(1);
    draft.ctx.subject = "Permohonan Pemanfaatan Data Kependudukan".into();
    draft.ctx.addressee = Addressee {
        title: c.region.head_title.clone(),
        via: Some(c.office_head_title.clone()),
        place: c.office.place_name.clone(),
    };
}

pub(super) fn persetujuan_kepala_daerah(c: &Common, draft: &mut Draft) {
    draft.ctx.issuer = c.head_issuer.clone();
    let (n, d) = draft.cite(c, "surat_permohonan");
    draft.put(json!({"nomor_surat_permohonan": n, "tanggal_surat_permohonan": d}));
    if let Some(s) = &c.inputs.signatory {
        draft.ctx.signatory = match s.kind {
            SignatoryKind::Head => Official {
                name: s.name.clone(),
                position: c.region.head_title.clone(),
                nip: s.nip.clone(),
                rank: s.rank.clone(),
                on_behalf_of: None,
            },
            SignatoryKind::RegionalSecretary => Official {
                name: s.name.clone(),
                position: "Sekretaris Daerah".into(),
                nip: s.nip.clone(),
                rank: s.rank.clone(),
                on_behalf_of: Some(c.region.head_title.clone()),
            },
        };
    }
    if c.letter == "surat_persetujuan_gubernur" {
        draft.ctx.subject = "Permohonan Persetujuan Pemberian Hak Akses Data Kependudukan".into();
        draft.ctx.addressee = c.to_dirjen.clone();
        draft.ctx.attachment = berkas(1);
        draft.ctx.tembusan = vec![c.agency.head.position.clone(), c.office_head_title.clone()];
    } else {
        draft.ctx.subject = "Izin Pemanfaatan Data Kependudukan".into();
        draft.ctx.addressee = c.to_agency.clone();
        let mut t = vec![format!("{DITJEN} di Jakarta")];
        t.extend(c.default_tembusan.iter().cloned());
        draft.ctx.tembusan = t;
    }
}

pub(super) fn pks(c: &Common, draft: &mut Draft) {
    draft.ctx.issuer = c.disdukcapil_issuer.clone();
    draft.ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
    draft.ctx.signatory = c.disdukcapil.head.clone();
    draft.ctx.recitals = default_recitals(c.request, &pks_parties(c.facts));
    draft.ctx.articles = pks_articles(c.facts);
    draft.ctx.tembusan = Vec::new();
    // A draft PKS is read while it is reviewed; it is issued only once approved.
    if c.stamp.is_some() && !c.app.pks.current_is_approved() {
        draft.missing.push(problem(
            "pks_approved",
            "Draf PKS versi terakhir belum disetujui; PKS diterbitkan setelah drafnya disetujui.",
            "The latest PKS draft is not approved: the PKS is issued once its draft is approved.",
        ));
    }
}

pub(super) fn adendum_pks(c: &Common, draft: &mut Draft) {
    draft.ctx.issuer = c.disdukcapil_issuer.clone();
    draft.ctx.signatory = c.disdukcapil.head.clone();
    draft.ctx.tembusan = Vec::new();
    let amended = amended(c.facts);
    if amended.number.is_empty() {
        draft.missing.push(problem(
            "cited.pks",
            "PKS yang diubah dengan adendum ini belum tercatat nomornya.",
            "The PKS this addendum amends has no number on record.",
        ));
    }
    draft.ctx.subject = format!(
        "Adendum {} atas Perjanjian Kerja Sama tentang Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik",
        addendum_ordinal(amended.ordinal)
    );
    draft.ctx.recitals = addendum_recitals(&amended);
    draft.ctx.articles = pks_articles(c.facts);
    // The scope the addendum puts in force, for the annex of elements.
    if let Some(a) = &c.app.addendum {
        draft.ctx.apply_request(&a.change.amend(c.request));
        draft.ctx.daily_quota = Some(a.change.daily_quota);
    } else {
        draft.missing.push(problem(
            "addendum",
            "Tidak ada usulan adendum yang sedang diproses.",
            "No addendum is being proposed.",
        ));
    }
    draft.put(json!({
        "nomor_pks": amended.number,
        "tanggal_pks": amended.date,
        "adendum_ke": addendum_ordinal(amended.ordinal),
    }));
    if c.stamp.is_some() && !c.app.pks.current_is_approved() {
        draft.missing.push(problem(
            "pks_approved",
            "Draf adendum versi terakhir belum disetujui; adendum diterbitkan setelah drafnya disetujui.",
            "The latest addendum draft is not approved: the addendum is issued once its draft is approved.",
        ));
    }
}

pub(super) fn berita_acara_konsultasi_pks(c: &Common, draft: &mut Draft) {
    draft.ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
    draft.ctx.tembusan = vec![c.agency.head.position.clone()];
    match (&c.facts.provincial_office, &c.facts.provincial_reviewer) {
        (Some(p), Some(reviewer)) => {
            draft.ctx.issuer = office_issuer(p, &format!("Provinsi {}", c.region.province));
            draft.ctx.signatory = official(reviewer, &format!("Kepala {}", p.name));
            draft.put(json!({"tempat": format!("Kantor {}", p.name)}));
        }
        _ => draft.missing.push(problem(
            "provincial_reviewer",
            "Disdukcapil Provinsi atau peninjau provinsi yang menandatangani berita acara belum tercatat.",
            "No provincial Disdukcapil or provincial reviewer to sign the berita acara is on record.",
        )),
    }
    let pks = &c.app.pks;
    if !pks.current_is_approved() {
        draft.missing.push(problem(
            "pks_approved",
            "Berita acara konsultasi diterbitkan bersama persetujuan draf PKS; draf versi terakhir belum disetujui.",
            "The consultation's berita acara is issued with the draft's approval; the latest draft is not approved.",
        ));
    }
    draft.put(json!({
        "hasil": [
            format!("Rancangan Perjanjian Kerja Sama versi ke-{} telah dibahas pasal demi pasal bersama PARA PIHAK.", pks.version.max(1)),
            format!("Elemen data yang dimohon sebanyak {} elemen telah diperiksa kesesuaiannya dengan tujuan pemanfaatan.", c.request.elements.len()),
            "Ketentuan larangan memberikan data kepada pihak lain dicantumkan dalam pasal kerahasiaan.".to_string(),
            "Kewajiban data balikan dan laporan evaluasi setiap 6 (enam) bulan dicantumkan beserta sanksinya.".to_string(),
        ],
        "kesimpulan": "dapat ditandatangani oleh PARA PIHAK",
    }));
}

pub(super) fn juknis(c: &Common, draft: &mut Draft) {
    draft.ctx.issuer = c.disdukcapil_issuer.clone();
    draft.ctx.subject = "Pemanfaatan Nomor Induk Kependudukan, Data Kependudukan dan Kartu Tanda Penduduk Elektronik".into();
    draft.ctx.signatory = c.disdukcapil.head.clone();
    draft.ctx.tembusan = Vec::new();
    let (n, d) = draft.cite(c, "pks");
    draft.put(json!({
        "nomor_pks": n,
        "tanggal_pks": c.pks_signed_on.unwrap_or(d),
        "alamat_ip": c.ips,
        "jam_layanan": "hari Senin sampai dengan Jumat pukul 08.00 sampai dengan 16.00 waktu setempat",
        "tim_teknis": c.team,
    }));
}

pub(super) fn surat_spesifikasi_teknis(c: &Common, draft: &mut Draft) {
    draft.ctx.subject = "Penyampaian Spesifikasi Teknis".into();
    draft.ctx.attachment = berkas(1);
    draft.ctx.tembusan = Vec::new();
    let (n, d) = draft.cite(c, "pks");
    let (nj, _) = draft.cite(c, "juknis");
    draft.put(json!({
        "nomor_pks": n,
        "tanggal_pks": c.pks_signed_on.unwrap_or(d),
        "nomor_juknis": nj,
        "tentang": "Pemanfaatan Data Kependudukan",
        "aplikasi": c.inputs.application_name.clone().unwrap_or_default(),
        "jaringan": c.network,
        "alamat_ip": c.ips,
        "perangkat": c.inputs.devices,
        "tim_teknis": c.team,
    }));
}

pub(super) fn surat_pernyataan_jaringan(c: &Common, draft: &mut Draft) {
    draft.ctx.subject = "Surat Pernyataan Jaringan Komunikasi Data Tertutup dan Aman".into();
    draft.ctx.tembusan = vec![c.office_head_title.clone()];
    draft.put(json!({"jenis_jaringan": c.network, "alamat_ip": c.ips}));
}

pub(super) fn permohonan_user_id(c: &Common, draft: &mut Draft) {
    let production = c.letter == "permohonan_user_id_produksi";
    draft.ctx.issuer = c.disdukcapil_issuer.clone();
    draft.ctx.signatory = c.disdukcapil.head.clone();
    draft.ctx.addressee = c.to_dirjen.clone();
    // The enclosures the c.letter lists: PKS, juknis, c.network statement, (BA PoC,) users.
    draft.ctx.attachment = berkas(if production { 5 } else { 4 });
    draft.ctx.tembusan = vec![c.region.head_title.clone(), c.agency.head.position.clone()];
    draft.ctx.subject = format!(
        "Permohonan User ID {} bagi {}",
        if production { "Produksi" } else { "Uji Coba" },
        c.agency.name
    );
    let (n, d) = draft.cite(c, "pks");
    let (nj, _) = draft.cite(c, "juknis");
    let (nn, _) = draft.cite(c, "surat_pernyataan_jaringan");
    let users: Vec<Value> = c.inputs
        .users
        .iter()
        .map(|u| json!({"nama": u.name, "nip": u.nip, "jabatan": u.position, "alamat_ip": u.ip_address}))
        .collect();
    draft.put(json!({
        "nomor_pks": n,
        "tanggal_pks": c.pks_signed_on.unwrap_or(d),
        "nomor_juknis": nj,
        "nomor_pernyataan_jaringan": nn,
        "pengguna": users,
    }));
    if production {
        let (nb, db) = draft.cite(c, "berita_acara_poc");
        draft.put(json!({"nomor_berita_acara_poc": nb, "tanggal_berita_acara_poc": db}));
    }
}

pub(super) fn laporan_uji_beban(c: &Common, draft: &mut Draft) {
    draft.ctx.subject = "Laporan Hasil Uji Beban (Stress Test)".into();
    draft.ctx.tembusan = Vec::new();
    let (n, _) = draft.cite(c, "pks");
    let failed = c.inputs.test_results.iter().filter(|r| !r.passed).count();
    let results: Vec<Value> = c.inputs
        .test_results
        .iter()
        .map(|r| json!({
            "parameter": r.parameter, "target": r.target, "hasil": r.result,
            "keterangan": r.note.clone().unwrap_or_else(|| if r.passed { "memenuhi".into() } else { "tidak memenuhi".into() }),
        }))
        .collect();
    let kesimpulan = if failed == 0 {
        "seluruh parameter memenuhi target; aplikasi dan jaringan dinyatakan siap untuk pelaksanaan proof of concept.".to_string()
    } else {
        format!(
            "{failed} ({}) parameter belum memenuhi target; uji beban perlu diulang setelah perbaikan.",
            terbilang(failed as u64)
        )
    };
    draft.put(json!({
        "nomor_pks": n,
        "user_id_uji": c.inputs.test_user_id.clone().unwrap_or_default(),
        "tanggal_uji": c.inputs.test_date.unwrap_or(c.date),
        "lokasi": format!("kantor {}", c.agency.name),
        "skenario": c.inputs.scenario.clone().unwrap_or_default(),
        "hasil_uji": results,
        "kesimpulan": kesimpulan,
    }));
}

pub(super) fn berita_acara_poc(c: &Common, draft: &mut Draft) {
    draft.ctx.issuer = c.disdukcapil_issuer.clone();
    draft.ctx.signatory = c.disdukcapil.head.clone();
    draft.ctx.subject = "Berita Acara Proof of Concept".into();
    draft.ctx.tembusan = vec![c.region.head_title.clone()];
    let (n, _) = draft.cite(c, "pks");
    let (nl, _) = draft.cite(c, "laporan_uji_beban");
    let all_passed = c.inputs.poc_results.iter().all(|r| r.passed);
    let results: Vec<Value> = c
        .inputs
        .poc_results
        .iter()
        .map(|r| json!({"skenario": r.scenario, "hasil": r.result}))
        .collect();
    draft.put(json!({
        "nomor_pks": n,
        "tempat": format!("Kantor {}", c.office.name),
        "nomor_laporan_uji_beban": nl,
        "hasil_poc": results,
        "kesimpulan": if all_passed { "berhasil" } else { "belum berhasil dan perlu diulang" },
    }));
}

pub(super) fn laporan_evaluasi(c: &Common, draft: &mut Draft) {
    draft.ctx.issuer = c.disdukcapil_issuer.clone();
    draft.ctx.signatory = c.disdukcapil.head.clone();
    draft.ctx.subject =
        "Laporan Hasil Monitoring dan Evaluasi Pemanfaatan Data Kependudukan".into();
    draft.ctx.addressee = Addressee {
        title: c.region.head_title.clone(),
        via: None,
        place: c.office.place_name.clone(),
    };
    draft.ctx.tembusan = vec![
        format!("{DITJEN} di Jakarta"),
        c.agency.head.position.clone(),
    ];
    let (n, d) = draft.cite(c, "pks");
    draft.put(json!({"nomor_pks": n, "tanggal_pks": c.pks_signed_on.unwrap_or(d)}));
    match evaluation_report(c.facts, c.inputs.access_count) {
        Ok(v) => draft.put(v),
        Err(p) => draft.missing.push(p),
    }
}

pub(super) fn surat_pengakhiran_pks(c: &Common, draft: &mut Draft) {
    draft.ctx.issuer = c.disdukcapil_issuer.clone();
    draft.ctx.signatory = c.disdukcapil.head.clone();
    draft.ctx.subject = "Pemberitahuan Pengakhiran Perjanjian Kerja Sama".into();
    draft.ctx.addressee = c.to_agency.clone();
    // Copies to those the agreement was approved by: Ditjen, the regional head, and
    // for a kab/kota the provincial c.office it was consulted with (never the issuer).
    let mut t = vec![format!("{DITJEN} di Jakarta"), c.region.head_title.clone()];
    if let Some(p) = c
        .facts
        .provincial_office
        .as_ref()
        .filter(|_| !c.office.is_province)
    {
        t.push(format!("Kepala {}", p.name));
    }
    draft.ctx.tembusan = t;
    let signed = amended(c.facts);
    if signed.number.is_empty() {
        draft.missing.push(problem(
            "cited.pks",
            "PKS yang diakhiri belum tercatat nomornya.",
            "The PKS being ended has no number on record.",
        ));
    }
    // The reason is the one recorded when the agreement was ended: the user IDs were
    // revoked with it in the same step.
    let reason = c
        .app
        .grant(GrantKind::Production)
        .and_then(|g| match &g.status {
            GrantStatus::Revoked { reason } if c.app.stage == "diakhiri" => Some(reason.clone()),
            _ => None,
        });
    if reason.is_none() {
        draft.missing.push(problem(
            "reason",
            "Kerja sama ini belum diakhiri: surat pengakhiran diterbitkan bersama pencatatan pengakhiran beserta alasannya.",
            "The agreement has not been ended: the notice is issued with the ending and its reason.",
        ));
    }
    draft.put(json!({
        "nomor_pks": signed.number,
        "tanggal_pks": signed.date,
        "alasan": reason.unwrap_or_default(),
    }));
}

pub(super) fn surat_jawaban_data_agregat(c: &Common, draft: &mut Draft) {
    draft.ctx.issuer = c.disdukcapil_issuer.clone();
    draft.ctx.signatory = c.disdukcapil.head.clone();
    draft.ctx.subject = "Penyampaian Data Agregat Kependudukan".into();
    draft.ctx.addressee = c.to_agency.clone();
    draft.ctx.tembusan = vec![c.region.head_title.clone()];
    let semester = if c.date.month() <= 6 { "I" } else { "II" };
    let (n, d) = draft.cite(c, "surat_permohonan");
    let figures: Vec<Value> = c
        .inputs
        .aggregate
        .iter()
        .map(|a| json!({"uraian": a.description, "jumlah": a.count}))
        .collect();
    draft.put(json!({
        "nomor_surat_permohonan": n,
        "tanggal_surat_permohonan": d,
        "semester_dkb": format!("{semester} Tahun {}", c.date.year()),
        "data_agregat": figures,
    }));
}

/// The facts of an evaluation report: the evaluation whose outcome was recorded last (the one
/// the report is issued with).
fn evaluation_report(
    facts: &LetterFacts,
    access_count: Option<u64>,
) -> Result<Value, LetterProblem> {
    let app = &facts.application;
    let Some((e, result)) = app
        .evaluations
        .iter()
        .filter_map(|e| e.result.as_ref().map(|r| (e, r)))
        .max_by_key(|(_, r)| r.at)
    else {
        return Err(problem(
            "evaluation",
            "Belum ada hasil evaluasi yang dicatat; laporan evaluasi diterbitkan bersama pencatatan hasilnya.",
            "No evaluation outcome is recorded: the report is issued when an outcome is recorded.",
        ));
    };
    let interval = 6;
    // The period runs from the previous evaluation (or the production user ID) to the due date.
    let previous = app
        .evaluations
        .iter()
        .filter(|p| p.due_on < e.due_on && p.result.is_some())
        .map(|p| p.due_on)
        .max()
        .or(app.evaluation_anchor);
    let since = match e.kind {
        EvaluationKind::Periodic => {
            let start = e.due_on - Months::new(interval);
            previous.map_or(start, |p| p.max(start))
        }
        EvaluationKind::Incidental => previous.unwrap_or(e.due_on),
    };
    let jenis = match e.kind {
        EvaluationKind::Periodic => format!(
            "Semester {} Tahun {}",
            if e.due_on.month() <= 6 { "I" } else { "II" },
            e.due_on.year()
        ),
        EvaluationKind::Incidental => match &e.reason {
            Some(reason) => format!("insidental ({reason})"),
            None => "insidental".to_string(),
        },
    };
    let temuan: Vec<String> = result
        .findings
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| capitalize_first(l.trim_start_matches(['-', '*', ' '])))
        .collect();
    let (hasil, rekomendasi) = match result.outcome {
        EvaluationOutcome::Pass => (
            "memenuhi",
            "Pemanfaatan data kependudukan dapat dilanjutkan sesuai dengan Perjanjian Kerja Sama.",
        ),
        EvaluationOutcome::PassWithFindings => (
            "memenuhi dengan catatan",
            "Pemanfaatan data kependudukan dapat dilanjutkan dengan kewajiban menindaklanjuti temuan di atas sebelum evaluasi berikutnya.",
        ),
        EvaluationOutcome::Fail => (
            "tidak memenuhi",
            "Hak akses lembaga pengguna ditangguhkan sampai dengan hasil evaluasi berikutnya dinyatakan memenuhi.",
        ),
    };
    let active_user_ids = app
        .grants
        .iter()
        .filter(|g| g.status == GrantStatus::Active)
        .count();
    Ok(json!({
        "jenis_evaluasi": jenis,
        "periode": format!("{} sampai dengan {}", format_date(since), format_date(e.due_on)),
        "jumlah_akses": access_count,
        "jumlah_user": active_user_ids,
        "status_laporan": if result.report_sha256.is_some() { "telah disampaikan" } else { "belum disampaikan" },
        "status_data_balikan": if result.data_balikan_met { "telah dipenuhi" } else { "belum dipenuhi" },
        "hasil": hasil,
        "temuan": if temuan.is_empty() { vec!["Tidak terdapat temuan.".to_string()] } else { temuan },
        "rekomendasi": [rekomendasi],
    }))
}
