"""Rules added in the third generalisation pass (docs/detector.md), each held both ways.

Every sentence here was invented for this file while the rules were written: none comes from the dev
set or from any blind set (blind_tune*, blind_holdout*).
"""

from __future__ import annotations

import pytest

from escalation.detector import Detector


def verdict(detector: Detector, *messages: str) -> tuple[str | None, str | None]:
    result = detector.assess(list(messages))
    return result.category, result.severity


@pytest.mark.parametrize(
    ("messages", "category", "severity"),
    [
        # time-bound intent
        (["gonna do it in 30 minutes"], "suicide", "imminent"),
        (["once my parents go to bed i'm doing it"], "suicide", "imminent"),
        (["i'll be dead before sunrise"], "suicide", "imminent"),
        (["heading to the overpass in a few minutes"], "suicide", "imminent"),
        (["as soon as my wife leaves for work i'm ending it"], "suicide", "imminent"),
        (["in half an hour i'm swallowing every pill i have"], "overdose", "imminent"),
        # acts done / in progress
        (["downed an entire box of my allergy pills"], "overdose", "imminent"),
        (["took everything from the medicine cabinet", "im scared"], "overdose", "imminent"),
        (["i'm bleeding so bad and i can't stop shaking"], "self_harm", "imminent"),
        (["blood on everything", "i don't know how to make it stop"], "self_harm", "imminent"),
        (["currently cutting in my room"], "self_harm", "imminent"),
        (["already swallowed them", "tell my mom i'm sorry"], "overdose", "imminent"),
        # means at hand now
        (["my dad's shotgun is in my lap"], "suicide", "imminent"),
        (["holding the rope in my hands right now"], "suicide", "imminent"),
        (["sitting here with the noose"], "suicide", "imminent"),
        (["it's right in front of me", "the pistol"], "suicide", "imminent"),
        (["got a blade next to me"], "self_harm", "imminent"),
        # farewells
        (["consider this my goodbye, you were all good to me"], "suicide", "imminent"),
        (["was nice knowing all of you"], "suicide", "imminent"),
        (["wanted someone to know before i go for good"], "suicide", "imminent"),
        # Spanish, with and without accents
        (["ya me tomé todo lo del botiquín"], "overdose", "imminent"),
        (["me acabo de tomar las pastillas de mi abuelo"], "overdose", "imminent"),
        (["ya me bebi muchas pastillas para dormir"], "overdose", "imminent"),
        (["hoy en la noche lo voy a hacer, ya lo decidi"], "suicide", "imminent"),
        (["ahorita me mato"], "suicide", "imminent"),
        (["ya no aguanto", "esta noche lo hago"], "suicide", "imminent"),
        (["ya no voy a estar cuando despierten"], "suicide", "imminent"),
        (["me despido de ustedes, perdón por todo"], "suicide", "imminent"),
        (["aquí está mi última carta para ustedes"], "suicide", "imminent"),
        (["no deja de sangrar, me corté muy hondo"], "self_harm", "imminent"),
    ],
)
def test_third_pass_positive(detector: Detector, messages: list[str], category: str, severity: str) -> None:
    assert verdict(detector, *messages) == (category, severity)


@pytest.mark.parametrize(
    "messages",
    [
        ["in 30 minutes i'm doing it, the laundry i mean"],
        ["once my parents go to bed i'm gaming all night"],
        ["by midnight i'll be gone to the airport, flight at 1"],
        ["heading to the bridge club in a few minutes"],
        ["after i post this i'm going to the gym"],
        ["took my whole prescription to the pharmacy"],
        ["downed an entire bottle of water after practice"],
        ["ate a whole box of cookies, no regrets"],
        ["i'm bleeding so bad from a paper cut lol"],
        ["my nose won't stop bleeding"],
        ["already took them, the vitamins i mean, sorry for the spam"],
        ["my little brother keeps screaming and i can't make it stop"],
        ["cutting onions right now and crying"],
        ["the knife is next to me, making dinner"],
        ["i have my meds right here, doctor prescribed them"],
        ["holding the rope for my climbing partner right now"],
        ["consider this my goodbye post, moving to a new city"],
        ["nice knowing you! see you next semester"],
        ["ya me tomé el té de manzanilla"],
        ["me acabo de tomar la medicina para la tos"],
        ["hoy en la noche lo hago, la tarea de física"],
        ["ahorita lo hago, déjame terminar el trabajo"],
        ["ya no voy a estar en el chat, me cambio de grupo"],
        ["me despido, nos vemos el lunes"],
        ["sin más me despido, saludos"],
        ["no deja de sangrar la nariz"],
        ["tengo las pastillas aquí por si me duele la cabeza"],
    ],
)
def test_third_pass_negative(detector: Detector, messages: list[str]) -> None:
    assert verdict(detector, *messages) == (None, None)
