"""Rules added in the second generalisation pass (docs/detector.md), each held both ways.

Every sentence here was invented for this file while the rules were written: none comes from the dev
set or from any blind set (blind_tune, blind_tune2, blind_holdout, blind_holdout2).
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
        (["i rewrote my will this afternoon and left the house to my brother"], "suicide", "imminent"),
        (["tonight is my final night alive"], "suicide", "imminent"),
        (["this will be my last post. goodbye"], "suicide", "imminent"),
        (["wrapping up the last few things before i go"], "suicide", "imminent"),
        (["i'm handling my final arrangements so nobody else has to"], "suicide", "imminent"),
        (["wiped my whole phone. the time has come"], "suicide", "imminent"),
        (["i said my goodbyes to the people i love this weekend, they have no idea"], "suicide", "imminent"),
        (["settled all my debts so my family won't have to deal with it"], "suicide", "imminent"),
        (["no point signing up for next semester, i won't be here by then"], "suicide", "high"),
        (["the blade is pressed against my wrist"], "suicide", "imminent"),
        (["gun's in my mouth"], "suicide", "imminent"),
        (["i have the pistol to my head"], "suicide", "imminent"),
        (["i'm standing on the railing of the parking garage"], "suicide", "imminent"),
        (["i climbed over the fence on the bridge"], "suicide", "imminent"),
        (["lying on the train tracks"], "suicide", "imminent"),
        (["up on the rooftop looking straight down"], "suicide", "imminent"),
        (["sitting in my car in the garage, the garage door is closed"], "suicide", "imminent"),
        (["i keep contemplating ending it all"], "suicide", "high"),
        (["part of me keeps telling me to jump"], "suicide", "high"),
        (["my head keeps saying i should just die"], "suicide", "high"),
        (["i want to make it all stop for good"], "suicide", "high"),
        (["i'm going to end the pain tonight"], "suicide", "imminent"),
        (["i know a guy who can get me a gun, no questions asked"], "suicide", "high"),
        (["bought a rope this morning"], "suicide", "imminent"),
        (["swallowed the rest of my lithium"], "overdose", "imminent"),
        (["took the entire box of benadryl"], "overdose", "imminent"),
        (["i downed everything in my mom's medicine cabinet"], "overdose", "imminent"),
        (["took my whole month supply of seroquel"], "overdose", "imminent"),
        (["the boy next door always has burns on his arms"], "abuse", "high"),
        (["my little sister has belt marks on her back"], "abuse", "high"),
        (["they lock my brother in the closet when he cries"], "abuse", "high"),
        (["she makes us sleep in the yard as punishment"], "abuse", "high"),
        (["my stepdad won't let my little brother eat for days"], "abuse", "high"),
        (["mi papá deja a mi hermanito sin comer como castigo"], "abuse", "high"),
        (["ojalá me atropellara un camión"], "suicide", "high"),
        (["quisiera dormirme para siempre"], "suicide", "high"),
        (["pienso en acabar con todo esta noche"], "suicide", "imminent"),
        (["ya es hora. adiós"], "suicide", "imminent"),
        (["tengo la pistola en la sien"], "suicide", "imminent"),
        (["estoy parado en el borde del puente"], "suicide", "imminent"),
        (["me despedí de todos mis amigos, ya no voy a estar"], "suicide", "imminent"),
        (["regalé a mi gato, ya no lo voy a necesitar"], "suicide", "imminent"),
        (["le pegan a mi hermana con el cinturón"], "abuse", "high"),
        (["el vecinito siempre llega con moretones"], "abuse", "high"),
        (["me tomé todo lo del botiquín y me siento mareada"], "overdose", "imminent"),
        (["mejor si me muriera"], "suicide", "high"),
        (["tonight's the night, it's time"], "suicide", "imminent"),
        (["i'm so tired, everything is set, goodbye"], "suicide", "imminent"),
        (["took all of my sleeping pills an hour ago"], "overdose", "imminent"),
        (["my head keeps telling me i should end my life"], "suicide", "high"),
        (["i keep thinking about stopping it all"], "suicide", "high"),
        (["ojalá no volver a despertar"], "suicide", "high"),
        (["ya no quiero seguir, voy a acabar con todo hoy"], "suicide", "imminent"),
        (["le di mi perro a mi vecina, ya no lo voy a necesitar"], "suicide", "imminent"),
        (["my dad burns my little brother with cigarettes"], "abuse", "high"),
        (["the girl i babysit has belt marks on her legs"], "abuse", "high"),
        (["i'm on the wrong side of the railing"], "suicide", "imminent"),
        (["razor against my thigh right now"], "self_harm", "imminent"),
    ],
)
def test_second_pass_rules_fire(detector: Detector, messages: list[str], category: str, severity: str) -> None:
    assert verdict(detector, *messages) == (category, severity)


@pytest.mark.parametrize(
    "messages",
    [
        ["my parents rewrote their will after grandpa died"],
        ["last night was so fun, we went bowling"],
        ["my last day at camp is saturday"],
        ["this is my last message before my flight, talk soon!"],
        ["wrapping up the last few things before i go on vacation"],
        ["said my goodbyes to everyone at the office party"],
        ["i said goodbye to my friends before moving to texas"],
        ["paid off my credit card finally, so proud of myself"],
        ["i'm so proud of myself for going to the gym"],
        ["i need to take care of myself more"],
        ["the knife is on the counter, can you grab it"],
        ["i'm on the roof of the parking garage, where did you park?"],
        ["we climbed over the fence to get into the concert lol"],
        ["sitting in the garage fixing my bike"],
        ["i'm considering ending my subscription"],
        ["my brain keeps telling me to eat pizza"],
        ["i want to stop it all, the caffeine and the sugar"],
        ["going to finish it all tonight so i can sleep in tomorrow"],
        ["i figured out where to get a good sandwich near campus"],
        ["i bought a rope for my dog's tug toy"],
        ["got the rope course certificate today"],
        ["took the rest of my antibiotics like the doctor said"],
        ["ate the whole box of cookies lol"],
        ["took my meds this morning, feel a bit dizzy, is that normal?"],
        ["the kid next door fell off the trampoline and has bruises"],
        ["my brother has bruises from football practice"],
        ["my mom makes me do chores as punishment"],
        ["they lock the door at night for safety"],
        ["i got locked out of the house and had to wait for my mom"],
        ["mi mamá me castigó sin videojuegos"],
        ["ojalá mañana no haga tanto frío"],
        ["quiero desaparecer un rato de todo, me voy a la playa"],
        ["quiero acabar con todo el pendiente de la oficina"],
        ["ya es hora de cenar"],
        ["estoy en el borde de la alberca"],
        ["me despedí de todos porque me voy de intercambio"],
        ["regalé mi ropa vieja"],
        ["mi hermano le pega a la pelota muy fuerte"],
        ["mi primo tiene moretones de fútbol"],
        ["me tomé un té y me siento mejor"],
        ["tengo una soga para tender la ropa"],
        ["mejor me voy a dormir"],
        ["it's time to study"],
        ["everything is set for the party tonight!"],
        ["this is my last night before my exam, wish me luck"],
        ["my final days of summer break are here"],
        ["it's time we talked about the group chat drama"],
        ["the time has come to clean my room lol"],
        ["my brain keeps telling me to quit my job and move to japan"],
        ["considering ending my streak on duolingo"],
        ["i'm going to end it all with a bang at the talent show"],
        ["everything is ready for tomorrow's trip"],
        ["i'm standing on the edge of the pool, too scared to dive"],
        ["last night on the ferry was beautiful"],
        ["took a whole bottle of water to the gym"],
        ["my sister gets bruises from volleyball"],
        ["my mom makes my brother sleep in his own bed now"],
        ["they locked me out by accident lol"],
        ["wrote my will in law class as an exercise"],
        ["gave my old phone to my cousin since i won't need it anymore, got a new one"],
        ["deleted everything on my old phone and sold it"],
        ["i won't be here by then, my flight leaves friday"],
        ["estoy en la orilla de la playa"],
        ["ya es hora de irme a dormir"],
        ["quiero terminar con esto del proyecto ya"],
        ["ojalá no me muera de aburrimiento en la clase"],
        ["me despedí de todos en la fiesta"],
        ["tengo la pistola de agua lista jaja"],
        ["i said goodbye to everyone at my grandma's funeral"],
        ["we are all set for the party"],
        ["my final exam is tomorrow"],
        ["this is the last time i lend him money"],
        ["pressing the knife against the bread"],
        ["cutting board, knife, onions, done"],
    ],
)
def test_second_pass_rules_stay_quiet(detector: Detector, messages: list[str]) -> None:
    assert verdict(detector, *messages) == (None, None)


def test_of_myself_is_not_off_myself(detector: Detector) -> None:
    # stretched letters fold "off" into "of": the idiom keeps "take care of myself" quiet
    assert verdict(detector, "i need to take better care of myself") == (None, None)
    assert verdict(detector, "i want to off myself")[0] == "suicide"
