//! Kota Pontianak's applications, from the 2018 field report.

use super::*;

/// Kota Pontianak's applications (the 2018 report), its drafts consulted with Kalimantan Barat.
pub(super) async fn walks(
    demo: &mut Demo<'_>,
    agencies: &BTreeMap<&'static str, Uuid>,
) -> Result<()> {
    let kab = script(false);
    // Kota Pontianak: Disdikbud and DPMPTSP signed their PKS after consultation with Kalimantan Barat.
    let c = cast(demo, "head_dpmptsp_ptk", "koord_ptk")?;
    demo.walk(
        "pks-kabkota",
        agencies["dpmptsp_ptk"],
        &c,
        request(
            "Verifikasi data pemohon perizinan",
            "Nomor izin dipadankan dengan NIK",
            AccessMethod::WebPortal,
            basic_elements(),
        ),
        &kab,
        kab.len(),
    )
    .await?;
    let c = cast(demo, "head_disdikbud_ptk", "koord_ptk")?;
    let mut sekolah = basic_elements();
    sekolah.push(el("nomor_kk", "Zonasi penerimaan peserta didik baru"));
    demo.walk(
        "pks-kabkota",
        agencies["disdikbud_ptk"],
        &c,
        request(
            "Verifikasi data calon peserta didik baru (PPDB)",
            "NISN dipadankan dengan NIK",
            AccessMethod::WebPortal,
            sekolah,
        ),
        &kab,
        step_index("catat_juknis_ditandatangani", &kab),
    )
    .await?;
    let c = cast(demo, "head_dinkes_ptk", "koord_ptk")?;
    demo.walk(
        "pks-kabkota",
        agencies["dinkes_ptk"],
        &c,
        request(
            "Verifikasi sasaran imunisasi dan layanan kesehatan",
            "Nomor kepesertaan layanan kesehatan daerah dipadankan dengan NIK",
            AccessMethod::WebPortal,
            basic_elements(),
        ),
        &kab,
        step_index("setujui_draf_pks", &kab),
    )
    .await?;
    let c = cast(demo, "head_dinsos_ptk", "koord_ptk")?;
    demo.walk(
        "pks-kabkota",
        agencies["dinsos_ptk"],
        &c,
        request(
            "Pemadanan data penerima bantuan",
            "Nomor DTKS dipadankan dengan NIK",
            AccessMethod::WebPortal,
            basic_elements(),
        ),
        &kab,
        step_index("catat_izin_kepala_daerah", &kab),
    )
    .await?;
    let c = cast(demo, "head_bappeda_ptk", "koord_ptk")?;
    let mut agregat = request(
        "Perencanaan pembangunan: jumlah penduduk per kelurahan",
        "",
        AccessMethod::WebPortal,
        vec![
            el("jenis_kelamin", "Jumlah penduduk menurut jenis kelamin"),
            el("tanggal_lahir", "Jumlah penduduk menurut kelompok umur"),
        ],
    );
    agregat.data_type = DataType::Aggregate;
    agregat.access_method = None;
    agregat.data_balikan.clear();
    agregat.duration_months = 1;
    demo.walk("data-agregat", agencies["bappeda_ptk"], &c, agregat, &[], 0)
        .await?;
    Ok(())
}
