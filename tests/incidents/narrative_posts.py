"""Posts for narrative grouping: one claim in 24 varied wordings, a different claim on the
same topic, and ordinary chatter. Written by hand: paraphrases, not near-identical copies."""

from __future__ import annotations

NARRATIVE = (
    "5G towers are spreading the coronavirus, that is why cities with 5G got hit first",
    "The new 5G masts are what is actually transmitting COVID-19 to people",
    "Coronavirus is being spread by 5G radio waves, not by a bat in a market",
    "Wake up: the covid outbreak started exactly where 5G was switched on. The towers spread it",
    "My cousin works for a telecom and says 5G antennas carry the virus. Covid = 5G",
    "Why is nobody talking about 5G networks causing the corona pandemic?",
    "COVID symptoms are really radiation sickness from 5G, the masts are spreading the disease",
    "They built 5G towers in Wuhan right before the virus appeared. Coincidence? 5G spreads covid",
    "Turn off 5G and the coronavirus will disappear, the towers are transmitting it",
    "5G cell towers emit the coronavirus into neighbourhoods, protect your family",
    "The pandemic is a cover story, 5G mobile networks are what makes people sick with covid",
    "Scientists are hiding that covid-19 travels over 5G frequencies",
    "Covid spreads through the 5G network, that's why they rolled it out during lockdown",
    "Every covid hotspot has 5G masts. The 5G signal is spreading the virus",
    "Burn the 5G masts, they are infecting us with coronavirus",
    "The coronavirus is transmitted by 5G technology, share this before it gets deleted",
    "5G frequencies activate the corona virus in your body, the towers are the real cause",
    "It's not a virus from bats, it's the 5G rollout spreading covid through the air",
    "Corona came with 5G. The new phone masts are giving people the virus",
    "New 5G towers near my house and now everyone has covid. The waves carry the virus",
    "The truth about covid: 5G base stations broadcast the infection",
    "5G is how the coronavirus is being spread around the world, do your research",
    "Coronavirus infections follow the 5G map exactly, the network is spreading it",
    "Stop 5G! The masts are spreading COVID-19 to everyone nearby",
)

OTHER = (
    "The covid vaccine makes women infertile, doctors are hiding it",
    "COVID-19 jabs cause infertility in young women, stay away from them",
    "Getting the coronavirus vaccine will leave you unable to have children",
    "Pfizer's own documents show the covid shot damages fertility",
    "Young women who take the covid vaccine become sterile",
    "The vaccine against corona attacks the placenta and causes infertility",
    "Infertility is a side effect of the covid jab they don't tell you about",
    "They want you vaccinated so you can't have kids: the covid shot causes sterility",
)

CHATTER = (
    "Just got my new phone and the 5G speed in town is amazing",
    "Had covid last winter, finally feeling like myself again after a long rest",
    "Our team won the match tonight, what a finish in the last minute",
    "Baked sourdough bread for the first time this weekend and it came out great",
    "Traffic on the ring road is terrible this morning, leave early",
    "The mobile network was down for an hour today, anyone else affected?",
    "Great concert in the park yesterday, the band played for three hours",
    "Remember to get your flu shot this autumn, the clinic is open on Saturdays",
)
