"""Personal identity and coordination numbers: normalising, validating, dates, ages and masking.

Real-looking numbers come only from Skatteverket's test numbers in tests/data; the others are
built here with a computed check digit (or a deliberately wrong one).
"""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.functional import Promise

from prostenhet.lib.personnummer import (
    IdentityNumberError,
    age_on,
    birth_date,
    display,
    is_coordination_number,
    luhn_digit,
    mask,
    normalise,
)

TEST_NUMBERS_FILE = Path(__file__).resolve().parents[1] / "data" / "testpersonnummer.txt"
TEST_NUMBERS = [
    line.strip()
    for line in TEST_NUMBERS_FILE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
TODAY = datetime.date(2026, 11, 28)

FORMAT_MESSAGE = "Ange personnumret som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN."
DATE_MESSAGE = "Datumet finns inte."
CHECKSUM_MESSAGE = "Kontrollsiffran stämmer inte."
COORDINATION_MESSAGE = (
    "Dagen i samordningsnumret finns inte: den ska vara födelsedagen plus 60 (61–91)."
)
FUTURE_MESSAGE = "Födelsedatumet ligger i framtiden."


def valid(yyyymmdd: str, birth_digits: str = "123") -> str:
    """12 digits with a correct check digit, whether or not the date exists."""
    nine = yyyymmdd[2:] + birth_digits
    return yyyymmdd + birth_digits + luhn_digit(nine)


def wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def short(number: str, separator: str = "-") -> str:
    return f"{number[2:8]}{separator}{number[8:]}"


def refusal(value: str, **kwargs) -> IdentityNumberError:
    with pytest.raises(IdentityNumberError) as excinfo:
        normalise(value, **kwargs)
    return excinfo.value


def message_of(error: IdentityNumberError) -> str:
    with translation.override("sv"):
        return str(error)


def on_hundredth_birthday(number: str) -> datetime.date:
    born = birth_date(number)
    try:
        return born.replace(year=born.year + 100)
    except ValueError:  # 29 February in a common year
        return datetime.date(born.year + 100, 3, 1)


# The test data


def test_the_test_data_covers_every_birth_year_from_1950_to_2009():
    years = {int(number[:4]) for number in TEST_NUMBERS}
    assert years == set(range(1950, 2010))
    assert 280 <= len(TEST_NUMBERS) <= 320
    assert all(re.fullmatch(r"[0-9]{12}", number) for number in TEST_NUMBERS)
    assert len(set(TEST_NUMBERS)) == len(TEST_NUMBERS)


def test_the_test_data_says_where_it_comes_from_and_is_the_same_as_the_demo_copy():
    text = TEST_NUMBERS_FILE.read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "# Skatteverket's test personal identity numbers (testpersonnummer), subset copied "
        "from shared/data; they belong to no real person."
    )
    demo_copy = Path(__file__).resolve().parents[2] / "clients/demo_data/testpersonnummer.txt"
    assert demo_copy.read_text(encoding="utf-8") == text


def test_the_test_data_includes_several_people_under_18():
    minors = [number for number in TEST_NUMBERS if age_on(number, TODAY) < 18]
    assert len(minors) >= 5
    assert all(number.startswith("2009") for number in minors)


# Accepted forms


def test_every_test_number_normalises_to_itself():
    assert [normalise(number, today=TODAY) for number in TEST_NUMBERS] == TEST_NUMBERS


def test_every_test_number_normalises_from_its_twelve_digit_form_with_a_hyphen():
    assert [normalise(display(number), today=TODAY) for number in TEST_NUMBERS] == TEST_NUMBERS


def test_every_test_number_normalises_from_its_ten_digit_form_with_a_hyphen():
    assert [normalise(short(n), today=TODAY) for n in TEST_NUMBERS] == TEST_NUMBERS


def test_every_test_number_normalises_from_its_ten_digit_form_without_a_separator():
    assert [normalise(short(n, ""), today=TODAY) for n in TEST_NUMBERS] == TEST_NUMBERS


def test_every_test_number_normalises_from_its_plus_form_from_its_hundredth_birthday():
    for number in TEST_NUMBERS:
        hundredth = on_hundredth_birthday(number)
        assert normalise(short(number, "+"), today=hundredth) == number
        assert age_on(number, hundredth) == 100


def test_a_plus_today_means_the_same_digits_a_century_before_the_hyphen():
    for number in TEST_NUMBERS:
        expected = str(int(number[:4]) - 100) + number[4:]
        assert normalise(short(number, "+"), today=TODAY) == expected
        assert age_on(expected, TODAY) >= 100


def test_surrounding_whitespace_is_ignored():
    number = TEST_NUMBERS[0]
    assert normalise(f"  {display(number)}\n", today=TODAY) == number
    assert normalise(f"\t{short(number)} ", today=TODAY) == number


# Century inference


@pytest.mark.parametrize(
    ("given", "year"),
    [
        ("261128-", 2026),  # born today
        ("261129-", 1926),  # tomorrow would be in the future
        ("270101-", 1927),
        ("991231-", 1999),
        ("000101-", 2000),
        ("090615", 2009),
        ("250101+", 1925),
        ("261231+", 1926),  # turns 100 this year: Skatteverket writes "+" from January
        ("270101+", 1827),
        ("000101+", 1900),
    ],
)
def test_the_century_of_a_ten_digit_number_is_inferred_from_today(given, year):
    date_part, separator = given[:6], given[6:]
    number = valid(f"{year}{date_part[2:]}")
    assert normalise(f"{date_part}{separator}{number[8:]}", today=TODAY) == number


def test_a_ten_digit_29_february_is_placed_in_a_leap_year_or_refused():
    leap = valid("20000229")
    assert normalise(short(leap), today=TODAY) == leap
    assert normalise(short(valid("19280229")), today=TODAY) == valid("19280229")
    assert message_of(refusal(short(leap, "+"), today=TODAY)) == DATE_MESSAGE  # 1900


def test_the_default_today_is_the_current_date():
    assert normalise(short(TEST_NUMBERS[0])) == TEST_NUMBERS[0]


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = valid("20261129")
    error = refusal(tomorrow, today=TODAY)
    assert (error.code, message_of(error)) == ("future", FUTURE_MESSAGE)
    assert normalise(tomorrow, today=datetime.date(2026, 11, 29)) == tomorrow


# Refusals


def test_a_wrong_check_digit_is_refused_with_the_check_digit_message():
    for number in TEST_NUMBERS:
        for given in (wrong_check_digit(number), short(wrong_check_digit(number))):
            error = refusal(given, today=TODAY)
            assert (error.code, message_of(error)) == ("checksum", CHECKSUM_MESSAGE)


def test_every_other_check_digit_is_refused():
    number = TEST_NUMBERS[-1]
    for digit in "0123456789":
        candidate = number[:-1] + digit
        if digit == number[-1]:
            assert normalise(candidate, today=TODAY) == number
        else:
            assert refusal(candidate, today=TODAY).code == "checksum"


@pytest.mark.parametrize(
    "yyyymmdd",
    [
        "20010230",  # 30 February
        "20040230",  # 30 February in a leap year
        "20010229",  # 29 February in a common year
        "19000229",  # 1900 was no leap year
        "19901301",  # month 13
        "19900001",  # month 0
        "19900100",  # day 0
        "19900132",  # day 32
        "19900431",  # 31 April
        "19900160",  # day 60: neither a date nor a coordination day
    ],
)
def test_an_impossible_date_is_refused_with_the_date_message(yyyymmdd):
    number = valid(yyyymmdd)
    for given in (number, display(number)):
        error = refusal(given, today=TODAY)
        assert (error.code, message_of(error)) == ("date", DATE_MESSAGE)
    if yyyymmdd[:4] != "1900":
        error = refusal(short(number), today=TODAY)
        assert (error.code, message_of(error)) == ("date", DATE_MESSAGE)


def test_29_february_in_a_leap_year_is_accepted():
    for yyyymmdd in ("20000229", "19960229", "20080229"):
        assert normalise(valid(yyyymmdd), today=TODAY) == valid(yyyymmdd)


@pytest.mark.parametrize(
    "given",
    [
        "",
        "   ",
        "abc",
        "19900101",
        "199001011",
        "1990010112345",
        "19900101+1234",  # "+" belongs to the 10-digit form only
        "199001-011234",
        "1990-01-01-1234",
        "900101 1234",
        "90 01 01-1234",
        "19900101–1234",  # en dash
        "900101--1234",
        "900101-123",
        "900101-12345",
        "9001011234x",
        "١٩٩٠٠١٠١١٢٣٤",  # Arabic-Indic digits
        "1990O1011234",  # letter O
    ],
)
def test_a_garbage_format_is_refused_with_the_format_message(given):
    error = refusal(given, today=TODAY)
    assert (error.code, message_of(error)) == ("format", FORMAT_MESSAGE)


# Coordination numbers


def test_a_coordination_number_with_day_61_to_91_is_accepted_and_keeps_its_day():
    for day in range(61, 92):
        number = valid(f"199001{day}", "245")
        assert normalise(number, today=TODAY) == number
        assert normalise(short(number), today=TODAY) == number
        assert is_coordination_number(number)
        assert birth_date(number) == datetime.date(1990, 1, day - 60)


@pytest.mark.parametrize("day", [92, 93, 99])
def test_a_coordination_number_with_day_92_or_more_is_refused(day):
    number = valid(f"199001{day}")
    for given in (number, short(number)):
        error = refusal(given, today=TODAY)
        assert (error.code, message_of(error)) == ("coordination_day", COORDINATION_MESSAGE)


def test_a_coordination_day_that_is_not_a_date_plus_60_is_refused():
    for yyyymmdd in ("19900290", "19900289", "19900491"):  # 30 and 29 Feb, 31 April
        error = refusal(valid(yyyymmdd), today=TODAY)
        assert (error.code, message_of(error)) == ("coordination_day", COORDINATION_MESSAGE)
    assert normalise(valid("20000289"), today=TODAY) == valid("20000289")


def test_a_coordination_number_with_a_wrong_check_digit_is_refused():
    error = refusal(wrong_check_digit(valid("19900175")), today=TODAY)
    assert error.code == "checksum"


def test_a_coordination_number_century_uses_the_real_birth_day():
    # 28 November + 60 = day 88; born today, so this century.
    number = valid("20261188")
    assert normalise(short(number), today=TODAY) == number
    assert normalise(short(valid("19261189")), today=TODAY) == valid("19261189")


def test_the_test_numbers_are_not_coordination_numbers():
    assert not any(is_coordination_number(number) for number in TEST_NUMBERS)


# Messages


def test_messages_never_contain_the_digits_given():
    refused = [wrong_check_digit(n) for n in TEST_NUMBERS[::20]] + [
        valid("20010229"),
        valid("19900195"),
        valid("20261129"),
        "19900101+1234",
    ]
    # The 10-digit form of a future date is read as a century ago, so it is left out.
    for given in refused + [short(n) for n in refused[:-2]]:
        error = refusal(given, today=TODAY)
        digits = re.sub(r"[^0-9]", "", given)
        texts = [message_of(error), str(error.message), *(str(arg) for arg in error.args)]
        for text in texts:
            for start in range(len(digits) - 3):
                assert digits[start : start + 4] not in text


def test_every_message_is_lazy_and_in_swedish():
    for given in ("x", valid("20010229"), valid("19900195"), wrong_check_digit(TEST_NUMBERS[0])):
        error = refusal(given, today=TODAY)
        assert isinstance(error.message, Promise)  # gettext_lazy
        assert isinstance(error, ValueError)


def test_a_function_given_a_non_normalised_value_does_not_echo_it():
    for function in (birth_date, is_coordination_number, display):
        with pytest.raises(ValueError) as excinfo:
            function("900101-1234")
        assert "1234" not in str(excinfo.value)


# Dates and ages


def test_birth_date_is_read_from_every_test_number():
    for number in TEST_NUMBERS:
        expected = datetime.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
        assert birth_date(number) == expected


def test_age_on_counts_completed_years():
    number = valid("19500118")
    assert age_on(number, datetime.date(2026, 1, 17)) == 75
    assert age_on(number, datetime.date(2026, 1, 18)) == 76
    assert age_on(number, datetime.date(1950, 1, 18)) == 0


def test_age_on_for_someone_born_on_29_february():
    number = valid("19800229")
    assert age_on(number, datetime.date(2021, 2, 28)) == 40
    assert age_on(number, datetime.date(2021, 3, 1)) == 41
    assert age_on(number, datetime.date(2024, 2, 28)) == 43
    assert age_on(number, datetime.date(2024, 2, 29)) == 44


def test_age_on_for_a_coordination_number_uses_the_real_birth_day():
    number = valid("20090175")  # born 15 January 2009
    assert age_on(number, datetime.date(2027, 1, 14)) == 17
    assert age_on(number, datetime.date(2027, 1, 15)) == 18


# Masking and display


def test_mask_reveals_no_digit():
    masks = {mask(number) for number in TEST_NUMBERS + [valid("19900175")]}
    assert masks == {"********-****"}
    assert not any(char.isdigit() for char in masks.pop())
    assert mask("") == ""


def test_display_writes_the_twelve_digits_with_a_hyphen():
    assert display(valid("19900175", "245")) == f"19900175-245{luhn_digit('900175245')}"
    for number in TEST_NUMBERS:
        shown = display(number)
        assert re.fullmatch(r"[0-9]{8}-[0-9]{4}", shown)
        assert shown.replace("-", "") == number
