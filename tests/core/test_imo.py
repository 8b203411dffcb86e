import pytest

from incentive_api.core.imo import imo_check_digit, normalise_imo
from incentive_api.core.request import InvalidRequest, parse_request


@pytest.mark.parametrize("number", ["9074729", "7654329", "9619907"])
def test_published_examples_are_valid(number):
    assert normalise_imo(number) == number
    assert imo_check_digit(number[:6]) == int(number[6])


def test_prefix_is_accepted_and_normalised():
    assert normalise_imo("IMO 9074729") == "9074729"
    assert normalise_imo("imo9074729") == "9074729"
    body = {"vessel": {"imo": "IMO 9074729", "type": "container", "gross_tonnage": 1000}}
    assert parse_request(body)["vessel"]["imo"] == "9074729"


@pytest.mark.parametrize("bad", ["9074728", "907472", "90747290", "IMO-9074729", "abcdefg", ""])
def test_bad_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        normalise_imo(bad)


def test_bad_check_digit_names_the_field():
    body = {"vessel": {"imo": "9074728", "type": "container", "gross_tonnage": 1000}}
    with pytest.raises(InvalidRequest) as exc:
        parse_request(body)
    [err] = exc.value.errors
    assert err["pointer"] == "/vessel/imo"
    assert "check digit" in err["message"] and "9" in err["message"]
