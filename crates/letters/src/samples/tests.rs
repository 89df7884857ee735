use super::*;

#[test]
fn every_sample_is_built_by_the_builder_without_a_missing_fact() {
    for scenario in Scenario::ALL {
        for (letter, _) in sepakat_core::workflow::LETTERS {
            let built = try_context(scenario, letter)
                .unwrap_or_else(|| panic!("{scenario:?}: no stamp for {letter}"));
            if let Err(problems) = built {
                panic!("{scenario:?} {letter}: {problems:#?}");
            }
            assert!(
                sepakat_core::letter::check_inputs(letter, &inputs(scenario, letter)).is_empty(),
                "{scenario:?} {letter}: the inputs are exactly what the letter needs"
            );
            let draft = draft_context(scenario, letter).unwrap();
            assert!(draft.number.is_none() && draft.verification.is_none());
        }
        assert!(context(scenario, "kop").is_none());
    }
}

#[test]
fn requests_name_only_catalogue_elements() {
    assert_eq!(pontianak_request().elements.len(), 6);
    assert_eq!(kalsel_request().elements.len(), 7);
}

#[test]
fn codes_look_like_the_stores_and_stay_put() {
    let a = code(Scenario::Pontianak, "pks");
    assert_eq!(a.len(), 10);
    assert!(!a.contains(['0', 'O', '1', 'I', 'L']));
    assert_eq!(a, code(Scenario::Pontianak, "pks"));
    assert_ne!(a, code(Scenario::Kalsel, "pks"));
}

#[test]
fn letters_are_dated_in_the_order_they_are_issued() {
    for scenario in Scenario::ALL {
        let mut last = scenario.start();
        for (letter, _) in TIMELINE {
            let d = letter_date(scenario, letter).unwrap();
            assert!(d >= last, "{letter}");
            last = d;
        }
        assert!(letter_date(scenario, "laporan_evaluasi").unwrap() > last);
    }
}
