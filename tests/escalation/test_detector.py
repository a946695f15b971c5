"""One test per phenomenon, with invented sentences (never dev-set sentences)."""

from __future__ import annotations

import pytest

from escalation.detector import Detector, severity_rank


def verdict(detector: Detector, *messages: str) -> tuple[str | None, str | None]:
    result = detector.assess(list(messages))
    assert result.escalate == (result.category is not None) == (result.severity is not None)
    return result.category, result.severity


@pytest.mark.parametrize(
    ("messages", "category"),
    [
        # C-SSRS 1: wish to be dead
        (["some nights i wish i could fall asleep and never wake up"], "suicide"),
        (["i honestly hope a truck hits me on my way to work"], "suicide"),
        # C-SSRS 2: active ideation
        (["i keep having thoughts about killing myself"], "suicide"),
        (["i wanna die so badly"], "suicide"),
        # C-SSRS 3: ideation with method
        (["i keep thinking about jumping in front of the subway"], "suicide"),
        (["what's the easiest way to die without pain"], "suicide"),
        # C-SSRS 4-5: intent and plan
        (["i'm going to end my life after my parents go to bed"], "suicide"),
        (["im doing it tonight, i have the rope ready"], "suicide"),
    ],
)
def test_columbia_gradations_escalate_as_suicide(detector: Detector, messages: list[str], category: str) -> None:
    assert verdict(detector, *messages)[0] == category


@pytest.mark.parametrize(
    "message",
    [
        "i wrote a goodbye note for my little sister",
        "i've been giving away my video games and my dog to friends so they don't have to sort it out when im gone",
        "this is my last night, thank you for trying with me. goodbye forever",
        "tying up loose ends before sunday",
    ],
)
def test_preparatory_acts_are_imminent(detector: Detector, message: str) -> None:
    assert verdict(detector, message) == ("suicide", "imminent")


@pytest.mark.parametrize(
    "message",
    [
        "my parents would be relieved if i was gone",
        "don't bother about me, i won't be around much longer",
        "there's no point in me being alive",
        "i can't picture myself alive by new year",
        "nobody would notice if i disappeared",
    ],
)
def test_implicit_ideation_without_trigger_word(detector: Detector, message: str) -> None:
    assert verdict(detector, message)[0] == "suicide"


@pytest.mark.parametrize(
    "message",
    ["kms fr", "been having sewer slide thoughts since monday", "might ctb this weekend", "time to unalive myself"],
)
def test_online_euphemisms(detector: Detector, message: str) -> None:
    assert verdict(detector, message)[0] == "suicide"


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("i took twenty of my mom's sleeping pills and im so dizzy", "overdose"),
        ("swallowed the whole bottle of advil an hour ago", "overdose"),
        ("my cousin drank rat poison", "overdose"),
        ("i mixed my xanax with vodka and my breathing feels weird", "overdose"),
        ("my friend snorted something and now she won't wake up", "overdose"),
    ],
)
def test_overdose_and_poisoning(detector: Detector, message: str, category: str) -> None:
    assert verdict(detector, message) == (category, "imminent")


@pytest.mark.parametrize(
    "message",
    [
        "i cut my arms again last night",
        "i started burning myself with matches so i could feel something",
        "relapsed on sh after 9 months",
        "I JUST WANT TO HURT MYSELF",
        "i punched the wall until my hand bled again",
    ],
)
def test_self_harm(detector: Detector, message: str) -> None:
    assert verdict(detector, message)[0] == "self_harm"


@pytest.mark.parametrize(
    "message",
    [
        "my stepfather punches me when i talk back",
        "my ex said he'd shoot me if i went to the cops",
        "my grandma's carer keeps all my disability money and doesn't feed me",
        "my older cousin keeps touching me at night",
        "she's pounding on the door and i'm hiding in my closet",
    ],
)
def test_abuse_and_threats_from_others(detector: Detector, message: str) -> None:
    assert verdict(detector, message)[0] == "abuse"


@pytest.mark.parametrize(
    "message",
    [
        "i'm going to stab my coworker tomorrow, the knife is in my locker",
        "i keep fantasizing about killing my stepmom",
        "bringing my brother's gun to school monday, they'll regret laughing",
        "i'm parked outside her house with a bat",
    ],
)
def test_intent_to_hurt_someone(detector: Detector, message: str) -> None:
    assert verdict(detector, message)[0] == "harm_to_others"


@pytest.mark.parametrize(
    ("message", "category"),
    [
        ("ya no quiero estar aquí, quiero morirme", "suicide"),
        ("me voy a aventar del puente esta noche", "suicide"),
        ("me sigo cortando las piernas", "self_harm"),
        ("me tomé un montón de pastillas y me siento rara", "overdose"),
        ("mi padrastro me golpea cuando llega borracho", "abuse"),
        ("esta noche la voy a matar, ya tengo la navaja", "harm_to_others"),
    ],
)
def test_spanish(detector: Detector, message: str, category: str) -> None:
    assert verdict(detector, message)[0] == category


@pytest.mark.parametrize(
    "message",
    [
        "i w4nt t0 k1ll mys3lf",
        "i want to k.i.l.l myself",
        "i want to kіll mysеlf",  # Cyrillic і and е
        "wanna diiiiiie",
        "i want to ki\u200bll myself",
        "me + 🔪 tonight, finally quiet",
    ],
)
def test_obfuscated_spellings_still_escalate(detector: Detector, message: str) -> None:
    assert verdict(detector, message)[0] == "suicide"


def test_evidence_is_the_original_span(detector: Detector) -> None:
    message = "ugh. i want to K I L L myself tonight"
    result = detector.assess([message])
    assert result.escalate and result.severity == "imminent"
    assert result.evidence, "an escalation must show why"
    for ev in result.evidence:
        assert message[ev.start : ev.end] == ev.text
        assert ev.category == result.category and ev.severity == result.severity
    assert any("K I L L" in ev.text for ev in result.evidence)


def test_severity_rank() -> None:
    assert severity_rank(None) == severity_rank("none") == 0
    assert severity_rank("high") == 1 and severity_rank("imminent") == 2


@pytest.mark.parametrize("messages", [[], [""], ["   "], ["\x00\ud800"], ["a" * 4000], [123]])  # type: ignore[list-item]
def test_never_raises_on_odd_input(detector: Detector, messages: list[str]) -> None:
    assert detector.assess(messages).escalate is False


def test_reentrant_across_threads(detector: Detector) -> None:
    from concurrent.futures import ThreadPoolExecutor

    windows = [["i want to die"], ["my phone died"], ["i took 40 pills", "my chest hurts"]] * 50
    expected = [detector.assess(w) for w in windows]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(detector.assess, windows))
    assert got == expected
