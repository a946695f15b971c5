"""False-alarm rules: each is explicit and tested on invented sentences, both ways."""

from __future__ import annotations

import pytest

from escalation.detector import Detector


def escalates(detector: Detector, *messages: str) -> bool:
    return detector.assess(list(messages)).escalate


@pytest.mark.parametrize(
    "message",
    [
        "these heels are killing me",
        "i'm dying to go to that concert",
        "i'm dead tired from practice",
        "lmaooo i'm dead 💀",
        "my laptop died during the exam",
        "kill me now, this lecture is three hours long",
        "i'd die for a slice of cheesecake",
        "over my dead body will he borrow my car",
        "these taxes are going to be the death of me",
        "my dad is going to kill me when he finds out i scratched the car",
        "i could murder a burrito right now",
        "me estoy muriendo de risa",
        "este examen me está matando",
    ],
)
def test_idioms_and_hyperbole_stay_quiet(detector: Detector, message: str) -> None:
    assert not escalates(detector, message)


@pytest.mark.parametrize(
    "message",
    [
        "we watched the suicide squad sequel yesterday",
        "my essay on suicide prevention is due friday",
        "in my psych class we discussed suicide statistics among veterans",
        "our training covered warning signs of self harm in students",
        "coach made us run suicides until we puked",
        "el documental sobre el suicidio en jóvenes fue muy fuerte",
    ],
)
def test_media_and_study_stay_quiet(detector: Detector, message: str) -> None:
    assert not escalates(detector, message)


@pytest.mark.parametrize(
    "message",
    [
        "i'm not going to hurt myself",
        "i would never kill myself",
        "i don't want to die, i want my life to get better",
        "i'm not suicidal, just exhausted",
        "i don't have any intention of cutting myself",
        "no me quiero matar, solo estoy cansado",
    ],
)
def test_negation_stays_quiet(detector: Detector, message: str) -> None:
    assert not escalates(detector, message)


@pytest.mark.parametrize(
    "message",
    [
        "i'm not okay, i want to die",
        "i can't stop thinking about killing myself",
        "i don't care if i die anymore",
        "not gonna lie i want to kill myself",
    ],
)
def test_negation_has_a_scope(detector: Detector, message: str) -> None:
    assert escalates(detector, message)


@pytest.mark.parametrize(
    "message",
    [
        "3 years clean from cutting and proud of it",
        "i used to want to kill myself but therapy changed that",
        "i overdosed when i was 17, now i'm a nurse",
        "my mom used to hit me but that was years ago",
        "it's been 400 days since i last hurt myself",
    ],
)
def test_past_and_recovered_stay_quiet(detector: Detector, message: str) -> None:
    assert not escalates(detector, message)


@pytest.mark.parametrize(
    "message",
    [
        "i used to cut and i started again last night",
        "i was 2 years clean from self harm but i relapsed yesterday",
    ],
)
def test_relapse_overrides_the_past(detector: Detector, message: str) -> None:
    assert escalates(detector, message)


@pytest.mark.parametrize(
    "message",
    [
        "i cut myself shaving this morning",
        "i hurt myself at the gym lifting",
        "i took my 2 pills like the doctor said",
        "i bought a rope for my climbing class",
        "my dad has a rifle for hunting season",
    ],
)
def test_ordinary_uses_of_risky_words_stay_quiet(detector: Detector, message: str) -> None:
    assert not escalates(detector, message)
