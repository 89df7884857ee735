//! The demo's directory: the offices, the agencies and the people who sign in or act.

use super::*;

/// The three Disdukcapil offices of the two field reports: the province of Kalimantan Selatan,
/// and Kota Pontianak with its province, Kalimantan Barat (which reviews its PKS drafts).
pub(super) struct Offices {
    pub kalsel: sepakat_store::entity::offices::Model,
    pub pontianak: sepakat_store::entity::offices::Model,
}

pub(super) async fn offices(demo: &Demo<'_>) -> Result<Offices> {
    let (store, t) = (demo.store, demo.now);
    let kalsel = store
        .create_office(
            NewOffice {
                name: "Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana Provinsi Kalimantan Selatan".into(),
                region_code: "63".into(),
                place_name: "Banjarbaru".into(),
                address: "Jalan Aneka Tambang, Kawasan Perkantoran Pemerintah Provinsi, Banjarbaru".into(),
                letter_code: None,
                letter_unit: "Disdukcapil-KB".into(),
                letter_pattern: None,
                utc_offset_minutes: Some(480),
            },
            t,
        )
        .await?;
    let kalbar = store
        .create_office(
            NewOffice {
                name: "Dinas Kependudukan dan Pencatatan Sipil Provinsi Kalimantan Barat".into(),
                region_code: "61".into(),
                place_name: "Pontianak".into(),
                address: "Jalan Sutan Syahrir, Pontianak".into(),
                letter_code: None,
                letter_unit: "Dukcapil".into(),
                letter_pattern: None,
                utc_offset_minutes: Some(420),
            },
            t,
        )
        .await?;
    let pontianak = store
        .create_office(
            NewOffice {
                name: "Dinas Kependudukan dan Pencatatan Sipil Kota Pontianak".into(),
                region_code: "61.71".into(),
                place_name: "Pontianak".into(),
                address: "Jalan Letjen Sutoyo, Pontianak".into(),
                letter_code: None,
                letter_unit: "Dukcapil.4".into(),
                letter_pattern: None,
                utc_offset_minutes: Some(420),
            },
            t,
        )
        .await?;
    // Kalimantan Barat has no agency of its own here: it reviews Kota Pontianak's drafts.
    let _ = kalbar;
    Ok(Offices { kalsel, pontianak })
}

/// The user institutions of both regions, by key.
pub(super) async fn agencies(
    demo: &Demo<'_>,
    offices: &Offices,
) -> Result<BTreeMap<&'static str, Uuid>> {
    let (store, t) = (demo.store, demo.now);
    let (kalsel, pontianak) = (&offices.kalsel, &offices.pontianak);
    // The units in the agencies' own letter numbers are their usual short names.
    let agency = |name: &str, office: Uuid, unit: &str| NewAgency {
        name: name.into(),
        kind: None,
        office_id: office,
        address: String::new(),
        letter_unit: Some(unit.into()),
    };
    let mut agencies = BTreeMap::new();
    for (key, name, office, unit) in [
        (
            "dpmptsp_kalsel",
            "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Provinsi Kalimantan Selatan",
            kalsel.id,
            "DPMPTSP",
        ),
        (
            "disnakertrans_kalsel",
            "Dinas Tenaga Kerja dan Transmigrasi Provinsi Kalimantan Selatan",
            kalsel.id,
            "Disnakertrans",
        ),
        (
            "dinsos_kalsel",
            "Dinas Sosial Provinsi Kalimantan Selatan",
            kalsel.id,
            "Dinsos",
        ),
        (
            "bpkad_kalsel",
            "Badan Pengelolaan Keuangan dan Aset Daerah Provinsi Kalimantan Selatan",
            kalsel.id,
            "BPKAD",
        ),
        ("rsud_ulin", "RSUD Ulin Banjarmasin", kalsel.id, "RSUD-Ulin"),
        (
            "disdikbud_ptk",
            "Dinas Pendidikan dan Kebudayaan Kota Pontianak",
            pontianak.id,
            "Disdikbud",
        ),
        (
            "dpmptsp_ptk",
            "Dinas Penanaman Modal, Tenaga Kerja dan Pelayanan Terpadu Satu Pintu Kota Pontianak",
            pontianak.id,
            "DPMPTK",
        ),
        (
            "dinkes_ptk",
            "Dinas Kesehatan Kota Pontianak",
            pontianak.id,
            "Dinkes",
        ),
        (
            "dinsos_ptk",
            "Dinas Sosial Pemberdayaan Masyarakat dan Desa Kota Pontianak",
            pontianak.id,
            "Dinsos-PMD",
        ),
        (
            "bappeda_ptk",
            "Badan Perencanaan Pembangunan Daerah Kota Pontianak",
            pontianak.id,
            "Bappeda",
        ),
    ] {
        agencies.insert(
            key,
            store.create_agency(agency(name, office, unit), t).await?.id,
        );
    }
    Ok(agencies)
}

/// The accounts: those printed for signing in, and the heads of the other agencies, who act in
/// the walks but are not printed.
pub(super) async fn people(
    demo: &mut Demo<'_>,
    offices: &Offices,
    agencies: &BTreeMap<&'static str, Uuid>,
) -> Result<Vec<DemoAccount>> {
    let (store, t) = (demo.store, demo.now);
    let (kalsel, pontianak) = (&offices.kalsel, &offices.pontianak);
    let mut printed = Vec::new();
    let mut add = |email: &'static str,
                   password: &'static str,
                   name: &str,
                   nip: Option<&str>,
                   position: &str,
                   role: Role,
                   office: Option<Uuid>,
                   agency: Option<Uuid>,
                   province: Option<&str>,
                   who: String| {
        printed.push(DemoAccount {
            email,
            password,
            role,
            who,
        });
        NewAccount {
            email: email.into(),
            name: name.into(),
            nip: nip.map(Into::into),
            position: Some(position.into()),
            role,
            office_id: office,
            agency_id: agency,
            province: province.map(Into::into),
        }
    };
    let specs = vec![
        (
            "kadis_kalsel",
            add(
                "kepala@disdukcapil.kalselprov.go.id",
                "kalsel-kepala-dinas",
                "Drs. H. Muhammad Rusdi, M.Si.",
                Some("196810121994031007"),
                "Kepala Dinas Kependudukan, Pencatatan Sipil dan Keluarga Berencana",
                Role::Coordinator,
                Some(kalsel.id),
                None,
                None,
                "Kepala Disdukcapil-KB Provinsi Kalimantan Selatan (menerima eskalasi evaluasi)"
                    .into(),
            ),
        ),
        (
            "kadis_ptk",
            add(
                "kepala@disdukcapil.pontianak.go.id",
                "pontianak-kepala-dinas",
                "Erma Suryani, S.Sos., M.Si.",
                Some("197102201992032004"),
                "Kepala Dinas Kependudukan dan Pencatatan Sipil",
                Role::Coordinator,
                Some(pontianak.id),
                None,
                None,
                "Kepala Disdukcapil Kota Pontianak (menerima eskalasi evaluasi)".into(),
            ),
        ),
        (
            "koord_kalsel",
            add(
                "koordinator@disdukcapil.kalselprov.go.id",
                "kalsel-koordinator",
                "Hj. Rahmawati, S.Kom.",
                Some("198203152006042011"),
                "Kepala Bidang Pemanfaatan Data dan Inovasi Pelayanan",
                Role::Coordinator,
                Some(kalsel.id),
                None,
                None,
                "Koordinator Disdukcapil-KB Provinsi Kalimantan Selatan".into(),
            ),
        ),
        (
            "koord2_kalsel",
            add(
                "reviu@disdukcapil.kalselprov.go.id",
                "kalsel-reviu",
                "Ahmad Fauzi, S.T.",
                Some("198507212010011009"),
                "Analis Kebijakan Ahli Muda",
                Role::Coordinator,
                Some(kalsel.id),
                None,
                None,
                "Koordinator kedua (reviu PKS) Disdukcapil-KB Provinsi Kalimantan Selatan".into(),
            ),
        ),
        (
            "koord_ptk",
            add(
                "koordinator@disdukcapil.pontianak.go.id",
                "pontianak-koordinator",
                "Sri Wahyuni, S.E.",
                Some("197911032005022004"),
                "Kepala Bidang Pemanfaatan Data",
                Role::Coordinator,
                Some(pontianak.id),
                None,
                None,
                "Koordinator Disdukcapil Kota Pontianak".into(),
            ),
        ),
        (
            "reviewer_kalbar",
            add(
                "peninjau@disdukcapil.kalbarprov.go.id",
                "kalbar-peninjau",
                "Drs. Yohanes Baptista",
                Some("196812121993031007"),
                "Kepala Seksi Kerja Sama",
                Role::ProvincialReviewer,
                None,
                None,
                Some("61"),
                "Peninjau PKS Disdukcapil Provinsi Kalimantan Barat".into(),
            ),
        ),
        (
            "central",
            add(
                "ditjen@dukcapil.kemendagri.go.id",
                "ditjen-dukcapil",
                "Direktorat Integrasi Data Kependudukan Nasional",
                None,
                "Direktorat Jenderal Kependudukan dan Pencatatan Sipil",
                Role::Central,
                None,
                None,
                None,
                "Ditjen Dukcapil".into(),
            ),
        ),
        (
            "head_dpmptsp_kalsel",
            add(
                "kepala@dpmptsp.kalselprov.go.id",
                "dpmptsp-kalsel",
                "Ir. H. Muhammad Nispuani",
                Some("196905101996031004"),
                "Kepala Dinas",
                Role::AgencyHead,
                None,
                Some(agencies["dpmptsp_kalsel"]),
                None,
                "Kepala DPMPTSP Provinsi Kalimantan Selatan".into(),
            ),
        ),
        (
            "head_disnakertrans_kalsel",
            add(
                "kepala@disnakertrans.kalselprov.go.id",
                "disnakertrans-kalsel",
                "Drs. Siswansyah",
                Some("196704151992031009"),
                "Kepala Dinas",
                Role::AgencyHead,
                None,
                Some(agencies["disnakertrans_kalsel"]),
                None,
                "Kepala Disnakertrans Provinsi Kalimantan Selatan".into(),
            ),
        ),
        (
            "head_disdikbud_ptk",
            add(
                "kepala@disdikbud.pontianak.go.id",
                "disdikbud-pontianak",
                "Syahdan Lazis, S.Pd., M.Si.",
                Some("197005051995031006"),
                "Kepala Dinas",
                Role::AgencyHead,
                None,
                Some(agencies["disdikbud_ptk"]),
                None,
                "Kepala Dinas Pendidikan dan Kebudayaan Kota Pontianak".into(),
            ),
        ),
        (
            "head_dinkes_ptk",
            add(
                "kepala@dinkes.pontianak.go.id",
                "dinkes-pontianak",
                "dr. Saptiko, M.Med.Ed.",
                Some("197408182003121004"),
                "Kepala Dinas",
                Role::AgencyHead,
                None,
                Some(agencies["dinkes_ptk"]),
                None,
                "Kepala Dinas Kesehatan Kota Pontianak".into(),
            ),
        ),
        (
            "auditor",
            add(
                "auditor@itjen.kemendagri.go.id",
                "auditor-itjen",
                "Inspektorat Jenderal",
                None,
                "Auditor",
                Role::Auditor,
                None,
                None,
                None,
                "Auditor (hanya membaca)".into(),
            ),
        ),
        (
            "admin",
            add(
                "admin@sepakat.local",
                "admin-sepakat",
                "Administrator Sepakat",
                None,
                "Administrator",
                Role::Admin,
                None,
                None,
                None,
                "Administrator".into(),
            ),
        ),
    ];
    // Heads of the other agencies exist too (the demo walks act as them) but are not printed.
    let extra_heads = [
        (
            "head_dinsos_kalsel",
            "kepala@dinsos.kalselprov.go.id",
            "dinsos_kalsel",
            "Dra. Siti Nurhayati, M.AP.",
        ),
        (
            "head_bpkad_kalsel",
            "kepala@bpkad.kalselprov.go.id",
            "bpkad_kalsel",
            "H. Ahmad Fauzi, S.E., M.M.",
        ),
        (
            "head_rsud_ulin",
            "direktur@rsudulin.kalselprov.go.id",
            "rsud_ulin",
            "dr. Rina Kartika, Sp.PD.",
        ),
        (
            "head_dpmptsp_ptk",
            "kepala@dpmptsp.pontianak.go.id",
            "dpmptsp_ptk",
            "Hendra Gunawan, S.T., M.T.",
        ),
        (
            "head_dinsos_ptk",
            "kepala@dinsos.pontianak.go.id",
            "dinsos_ptk",
            "Yuliana Sari, S.Sos.",
        ),
        (
            "head_bappeda_ptk",
            "kepala@bappeda.pontianak.go.id",
            "bappeda_ptk",
            "Ir. Rudi Hartono, M.Si.",
        ),
    ];
    for (key, spec) in specs {
        let row = store.create_account(spec, t).await?;
        if key.starts_with("kadis_") {
            store.set_heads_office(row.id, true, t).await?;
        }
        demo.accounts.insert(key, row.id);
    }
    let agency_names: BTreeMap<&str, String> = {
        let mut m = BTreeMap::new();
        for (key, id) in agencies {
            m.insert(*key, store.agency(*id).await?.name);
        }
        m
    };
    for (key, email, agency_key, name) in extra_heads {
        let spec = NewAccount {
            email: email.into(),
            name: name.into(),
            nip: None,
            // A regional hospital is headed by its director.
            position: Some(format!(
                "{} {}",
                if agency_key == "rsud_ulin" {
                    "Direktur"
                } else {
                    "Kepala"
                },
                agency_names[agency_key]
            )),
            role: Role::AgencyHead,
            office_id: None,
            agency_id: Some(agencies[agency_key]),
            province: None,
        };
        demo.accounts
            .insert(key, store.create_account(spec, t).await?.id);
    }
    for a in &printed {
        let id = store
            .account_by_email(a.email)
            .await?
            .context("demo account just created")?
            .id;
        let hash = hash_password(a.password).map_err(anyhow::Error::msg)?;
        store.set_password_hash(id, Some(hash), t).await?;
    }
    Ok(printed)
}
