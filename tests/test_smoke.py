from tutorbot.cli import build_parser


def test_parser_builds() -> None:
    assert build_parser().prog == "tutorbot"
