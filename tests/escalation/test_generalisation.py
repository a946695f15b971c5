"""Rules added in the generalisation pass (docs/detector.md), each held both ways.

Every sentence here is invented for this file: none comes from the dev set or the blind sets.
"""

from __future__ import annotations

import pytest

from escalation.detector import Detector
from escalation.lexicon import normalize


def verdict(detector: Detector, *messages: str) -> tuple[str | None, str | None]:
    result = detector.assess(list(messages))
    return result.category, result.severity


# -- normaliser: joins and dotted letters ----------------------------------------------------------


def test_split_words_are_joined() -> None:
    assert normalize("i want to kill my self").text.endswith("kil myself")
    assert "sewerslide" in normalize("sewer slide vibes").text


def test_dotted_letters_keep_their_closing_dot() -> None:
    assert normalize("c.u.t. again").text == "cut again"
    assert normalize("k.m.s").text == "kms"


@pytest.mark.parametrize(
    ("messages", "category", "severity"),
    [
        # passive wish with its own negator ("wouldn't mind", "didn't wake up")
        (["ngl i wouldnt mind if i never woke up after tonight"], "suicide", None),
        (["i keep hoping my heart gives out in my sleep"], "suicide", None),
        (["every time i cross the street i kinda hope a truck hits me"], "suicide", None),
        # no point / no reason + go on living, English and Spanish
        (["honestly cant see any point in staying alive"], "suicide", "high"),
        (["whats the reason to keep living even"], "suicide", "high"),
        (["no le encuentro ningun sentido a seguir viviendo"], "suicide", "high"),
        # done with life / hate existing / the world without me
        (["i think im just done with living"], "suicide", "high"),
        (["i hate existing, every single day"], "suicide", "high"),
        (["the world would go on just fine without me"], "suicide", "high"),
        (["estoy agotada de existir"], "suicide", "high"),
        # rumination on a means of death
        (["the rope in the garage is all i can think about"], "suicide", None),
        (["cant stop thinking about my funeral"], "suicide", None),
        # preparatory acts
        (["handed my little sister my switch, told her i won't be needing it"], "suicide", "imminent"),
        (["tied up the last of my loose ends this week"], "suicide", "imminent"),
        (["recording my last video // deleted my tiktok"], "suicide", "imminent"),
        (["left a note for my parents on the kitchen table"], "suicide", None),
        (["found my dog a new home, he'll be taken care of after"], "suicide", "imminent"),
        (["ya me despedi de mi abuela // le deje una carta // esta noche lo hago"], "suicide", "imminent"),
        # means access and staging
        (["my stepdads shotgun // i figured out the code to the gun safe"], "suicide", None),
        (["bought a rope // the branch out back looks sturdy enough"], "suicide", "imminent"),
        (["my meds are all counted out on the bed"], "suicide", "imminent"),
        (["how many melatonin would it take"], "suicide", None),
        (["i already know where im going to do it"], "suicide", None),
        (["chose the parking garage downtown"], "suicide", None),
        (["me aviento de la azotea mañana"], "suicide", "imminent"),
        # kys about oneself
        (["i should just kys honestly"], "suicide", None),
        # third person
        (["my bff keeps talking about not wanting to be alive anymore"], "suicide", "high"),
        (["my cousin said he's about to off himself"], "suicide", None),
        (["mi prima dice que se quiere matar"], "suicide", None),
        (["my little brother burns himself with lighters"], "self_harm", None),
        # self-harm relapse with a tool, bleeding care
        (["slipped up tonight // the safety pin again"], "self_harm", None),
        (["my wrist // holding a towel on it // its not stopping"], "self_harm", "imminent"),
        (["i carve my thighs with a compass"], "self_harm", None),
        # overdose split without the word pills
        (["took all of them // i cant stop shaking"], "overdose", "imminent"),
        # abuse
        (["my stepdad says hell snap my neck if i tell"], "abuse", None),
        (["im under my bed, hes outside my door screaming"], "abuse", "imminent"),
        (["moms boyfriend is wasted again // hes breaking the chairs"], "abuse", "imminent"),
        (["im too scared to go home, my dad hits me"], "abuse", None),
        (["my aunt whips my cousin with an extension cord"], "abuse", None),
        (["he held me down and i told him no but he kept going"], "abuse", None),
        # harm to others
        (["im going to smother my stepmom while she sleeps"], "harm_to_others", None),
        (["packing my brothers knife tomorrow, that guy is done"], "harm_to_others", "imminent"),
        (["le voy a disparar a mi vecino, ya tengo el arma"], "harm_to_others", None),
    ],
)
def test_new_rules_catch_new_phrasings(
    detector: Detector, messages: list[str], category: str, severity: str | None
) -> None:
    got_category, got_severity = verdict(detector, *messages)
    assert got_category == category
    if severity:
        assert got_severity == severity


@pytest.mark.parametrize(
    "messages",
    [
        # everyday uses of the new rules' words
        ["no point in going to the party if shes not there"],
        ["there is no reason to keep going to that dentist"],
        ["whats the point of life insurance when youre 19"],
        ["i wouldnt mind if it snowed all week"],
        ["i hope my hamster doesnt die while im away"],
        ["all i can think about is the finale"],
        ["gave my old jacket to my brother, i won't be needing it since i bought a new one"],
        ["tying up loose ends at work before my vacation"],
        ["my last post here was about my cat lol"],
        ["the code to the safe at work is 0000 lol, our manager is wild"],
        ["bought a rope for the hammock, the tree looks strong enough"],
        ["how many advil can i take for period cramps"],
        ["someone told me to kys in a valorant lobby, reported"],
        ["my friend said she wants to die of embarrassment after that presentation"],
        ["relapsed on vaping again ugh"],
        ["ate the whole box of donuts and now i feel sick lol"],
        ["im hiding in the closet lol hide and seek with my nephew"],
        ["my uncle got drunk at the wedding and danced on the table"],
        ["scared to go home, my mom is going to yell about my report card"],
        ["my brother beat me at chess again"],
        ["my sister hit me with a pillow lol"],
        ["gonna shoot him a text later"],
        ["bringing my knife on the camping trip tomorrow"],
        ["hitman is so fun, just poisoned a target's drink lol"],
        ["my therapist asked if i wanted to hurt myself and i honestly said no"],
        ["the sewer slide memes on tiktok are so dark"],
        ["that song i want to die by that band is stuck in my head"],
        ["heading home // long day // gonna sleep forever lol"],
        ["i tried to kill myself at 15, im 23 now and doing great"],
        ["goodbye forever // to my braces // so happy"],
        ["tonight is the night // prom!!! // so nervous"],
        ["suicide is a leading cause of death among teens, we learned today"],
        ["estoy haciendo una exposicion sobre el suicidio"],
        ["me corte el fleco y quedo chueco"],
        ["me corte con una hoja de papel jaja"],
        ["mañana me despido de mis compañeros porque me cambio de escuela"],
        ["no tiene sentido seguir con este proyecto"],
        ["thats not the point, my life is fine"],
        ["no point in waking up before 10 on weekends"],
        ["whats the point of going on vacation if it rains"],
        ["tired of living paycheck to paycheck"],
        ["i cant stop thinking about death stranding, best game ever"],
        ["dying is all i can think about in this heat lol"],
    ],
)
def test_new_rules_stay_quiet_on_everyday_talk(detector: Detector, messages: list[str]) -> None:
    assert verdict(detector, *messages) == (None, None)


def test_negator_inside_a_phrase_does_not_cancel_what_follows(detector: Detector) -> None:
    # "no" belongs to "no point": it must not negate "being alive"
    assert verdict(detector, "i do not see the point of being alive")[0] == "suicide"
    # an ordinary negation still cancels
    assert verdict(detector, "i do not want to die") == (None, None)


def test_wish_must_come_before_the_death_phrase(detector: Detector) -> None:
    assert verdict(detector, "i wish i could just not wake up")[0] == "suicide"
    assert verdict(detector, "my grandma might die soon, i hope the doctors can help") == (None, None)
