//! Kalimantan Selatan's applications, from the 2021 field report.

use super::*;

/// Kalimantan Selatan's applications (the 2021 report), long-running ones first so their
/// evaluations fall due; returns RSUD Ulin's, which reports every semester, with its cast.
pub(super) async fn walks(
    demo: &mut Demo<'_>,
    agencies: &BTreeMap<&'static str, Uuid>,
) -> Result<(Uuid, BTreeMap<&'static str, Uuid>)> {
    let prov = script(true);
    // Kalimantan Selatan: long-running ones first, so their evaluations fall due.
    let c = cast(demo, "head_rsud_ulin", "koord_kalsel")?;
    let ulin = demo
        .walk(
            "pks-provinsi",
            agencies["rsud_ulin"],
            &c,
            request(
                "Verifikasi identitas pasien JKN",
                "Nomor rekam medis dipadankan dengan NIK",
                AccessMethod::CardReader,
                basic_elements(),
            ),
            &prov,
            prov.len(),
        )
        .await?;
    let ulin_cast = c.clone();
    // DPMPTSP and Disnakertrans: approved, juknis signed, specification sent — but no user ID:
    // the network statement is missing (the April 2021 case).
    let blocked = step_index("verifikasi_jaringan_tertutup", &prov) - 2;
    let c = cast(demo, "head_dpmptsp_kalsel", "koord_kalsel")?;
    demo.walk(
        "pks-provinsi",
        agencies["dpmptsp_kalsel"],
        &c,
        request(
            "Verifikasi data pemohon perizinan berusaha",
            "Nomor Induk Berusaha (NIB) dipadankan dengan NIK",
            AccessMethod::WebPortal,
            basic_elements(),
        ),
        &prov,
        blocked,
    )
    .await?;
    let c = cast(demo, "head_disnakertrans_kalsel", "koord_kalsel")?;
    demo.walk(
        "pks-provinsi",
        agencies["disnakertrans_kalsel"],
        &c,
        request(
            "Verifikasi pencari kerja dan calon transmigran",
            "Nomor kartu pencari kerja (AK/1) dipadankan dengan NIK",
            AccessMethod::WebPortal,
            basic_elements(),
        ),
        &prov,
        blocked,
    )
    .await?;
    let c = cast(demo, "head_dinsos_kalsel", "koord_kalsel")?;
    demo.walk(
        "pks-provinsi",
        agencies["dinsos_kalsel"],
        &c,
        request(
            "Pemadanan data penerima bantuan sosial",
            "Nomor DTKS dipadankan dengan NIK",
            AccessMethod::WebPortal,
            basic_elements(),
        ),
        &prov,
        step_index("catat_persetujuan_dirjen", &prov) - 1,
    )
    .await?;
    let c = cast(demo, "head_bpkad_kalsel", "koord_kalsel")?;
    demo.walk(
        "pks-provinsi",
        agencies["bpkad_kalsel"],
        &c,
        request(
            "Verifikasi wajib pajak kendaraan bermotor",
            "NPWPD dipadankan dengan NIK",
            AccessMethod::WebPortal,
            basic_elements(),
        ),
        &prov,
        0,
    )
    .await?;
    Ok((ulin, ulin_cast))
}
