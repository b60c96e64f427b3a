//! One grammar for spans of time: `report --since 2d` and the generator's `--span 2d` accept the
//! same texts with the same values.

use log_gardener::normalize::time::parse_span_nanos;

#[test]
fn report_and_generator_read_spans_alike() {
    let texts = [
        "2d",
        "30m",
        "90s",
        "6h",
        "1w",
        "15min",
        "0m",
        " 2h ",
        "2",
        "0.5",
        "1.5h",
        "-3h",
        "h",
        "",
        "2x",
        "7D",
        "99999999999999999d",
    ];
    for text in texts {
        assert_eq!(
            parse_span_nanos(text),
            log_gardener_gen::parse_span(text).ok(),
            "the two readers disagree on {text:?}"
        );
    }
}
