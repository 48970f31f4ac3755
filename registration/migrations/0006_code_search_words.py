"""Search words per code (Dutch and English) and English group names, as data beside the labels.

Counsellors type everyday words during a call (moeder, juf, fysiek, verwaarl…); the type-ahead
matches these words as it matches the labels. Adds the fields, then fills them where they are
still empty, so words an administrator edited in the admin are left as they are.

Frozen: the words below are those written for issue 10 on the day this migration was written;
later changes are admin edits or a migration of their own.
"""

from django.db import migrations, models

# The relation groups of domain.md in English.
GROUPS_EN = {
    "Persoon uit de omgeving van het slachtoffer": "Person from the victim's environment",
    "Persoon uit de omgeving van de dader": "Person from the perpetrator's environment",
    "Onderwijs": "Education",
    "Cultuur": "Culture",
    "Sport": "Sport",
    "Welzijn, gezondheid en gezin": "Welfare, health and family",
    "Justitiële instanties": "Judicial authorities",
    "Onbekend": "Unknown",
}

# Shared by the victim's and the perpetrator's side of the relation list (the group tells them apart).
_PARENT = (
    "moeder, vader, ouder, ouders, stiefouder, stiefmoeder, stiefvader, plusouder, plusmoeder, plusvader, "
    "mama, papa, mams, adoptieouder, adoptiemoeder, adoptievader",
    "mother, father, parent, parents, stepparent, stepmother, stepfather, mum, mom, dad, adoptive parent",
)
_CHILD = (
    "kind, kinderen, zoon, dochter, stiefkind, stiefzoon, stiefdochter, pluskind, pluszoon, plusdochter",
    "child, children, son, daughter, stepchild, stepson, stepdaughter",
)
_GRANDPARENT = (
    "grootouder, grootmoeder, grootvader, oma, opa, bomma, bompa, meme, pepe",
    "grandparent, grandmother, grandfather, grandma, grandpa, granny",
)
_RELATIVE = (
    "familie, familielid, broer, zus, zuster, tante, oom, nonkel, neef, nicht, schoonmoeder, schoonvader, "
    "schoonzus, schoonbroer, kleinkind, kleinzoon, kleindochter",
    "family, relative, brother, sister, aunt, uncle, cousin, nephew, niece, in-law, grandchild",
)
_NEIGHBOUR = (
    "buur, buren, buurman, buurvrouw, buurt, woonomgeving, huisgenoot, medebewoner, kotgenoot",
    "neighbour, neighbor, neighbours, housemate, flatmate",
)
_FRIEND = (
    "vriend, vriendin, vrienden, kennis, kennissen",
    "friend, friends, acquaintance",
)
_PARTNER = (
    "partner, echtgenoot, echtgenote, man, vrouw, lief, liefje, ex, expartner, ex-partner, samenwonend, gehuwd",
    "partner, spouse, husband, wife, boyfriend, girlfriend, ex, ex-partner",
)
_OTHER = ("andere, ander, onbekend, onbekende, iemand", "other, unknown, someone")

SEARCH_WORDS = {
    "caller_relation": {
        "1100": ("zelf, mezelf, ikzelf, slachtoffer", "self, myself, victim"),
        "1200": _PARENT,
        "1300": _CHILD,
        "1400": _GRANDPARENT,
        "1500": _RELATIVE,
        "1600": _NEIGHBOUR,
        "1700": _FRIEND,
        "1800": _PARTNER,
        "1999": (_OTHER[0] + ", primaire omgeving", _OTHER[1]),
        "2100": ("dader, pleger, zelf, mezelf, ikzelf", "perpetrator, offender, abuser, self, myself"),
        "2200": _PARENT,
        "2300": _CHILD,
        "2400": _GRANDPARENT,
        "2500": _RELATIVE,
        "2600": _NEIGHBOUR,
        "2700": _FRIEND,
        "2800": _PARTNER,
        "2999": _OTHER,
        "3100": (
            "school, leerkracht, leraar, lerares, juf, juffrouw, meester, directeur, directie, zorgcoördinator, "
            "leerlingbegeleider, kleuterschool, basisschool, middelbare school, secundair onderwijs, internaat",
            "school, teacher, head teacher, principal, primary school, secondary school, boarding school",
        ),
        "3200": (
            "volwassenenonderwijs, cvo, avondschool, hogeschool, universiteit, docent, lector, professor, student",
            "adult education, evening class, college, university, lecturer, professor, student",
        ),
        "3999": ("onderwijs, school, clb, leerlingenbegeleiding, andere, onbekend", "education, school, other"),
        "4100": (
            "cultuur, jeugdbeweging, chiro, scouts, ksa, jeugdhuis, jeugdwerk, speelplein, muziekschool, academie, "
            "leiding, leider, animator, monitor",
            "culture, youth movement, scouts, youth club, youth work, playground, music school, youth leader",
        ),
        "4200": (
            "cultuur, vereniging, koor, toneel, bibliotheek, museum, cultuurcentrum",
            "culture, association, club, choir, theatre, library, museum",
        ),
        "4999": ("cultuur, andere, onbekend", "culture, other, unknown"),
        "5100": (
            "sport, sportclub, trainer, coach, jeugdtrainer, sportkamp, voetbal, turnen, zwemmen",
            "sport, sports club, trainer, coach, sports camp, football, gymnastics, swimming",
        ),
        "5200": ("sport, sportclub, trainer, coach, fitness", "sport, sports club, trainer, coach, gym"),
        "5999": ("sport, andere, onbekend", "sport, other, unknown"),
        "6100": (
            "jeugdhulp, jeugdhulpverlening, jeugdinstelling, leefgroep, opvoeder, begeleider, kinderopvang, "
            "onthaalouder, crèche, kinderdagverblijf, kinderarts, pleegzorg",
            "youth care, youth worker, childcare, nursery, paediatrician, foster care",
        ),
        "6200": (
            "caw, ocmw, vluchthuis, vrouwenopvang, opvangcentrum, thuislozenzorg, psychiatrie, ggz, "
            "begeleid wonen, maatschappelijk werker",
            "welfare centre, social services, shelter, women's shelter, psychiatry, mental health, social worker",
        ),
        "6300": (
            "ouderen, ouderenzorg, woonzorgcentrum, wzc, rusthuis, thuiszorg, thuisverpleging, dagverzorging, "
            "serviceflat, zorgkundige, bejaarden",
            "older people, elderly, care home, nursing home, home care, home nursing, day care",
        ),
        "6999": (
            "welzijn, gezondheid, huisarts, arts, dokter, ziekenhuis, verpleegkundige, psycholoog, hulpverlener, "
            "andere, onbekend",
            "welfare, health, gp, doctor, hospital, nurse, psychologist, care worker, other, unknown",
        ),
        "7000": (
            "politie, agent, wijkagent, justitie, parket, procureur, rechter, jeugdrechter, advocaat, gevangenis, "
            "justitiehuis",
            "police, officer, justice, prosecutor, court, judge, youth court, lawyer, prison",
        ),
        "9999": ("onbekend, weet niet, niet gekend", "unknown, not known"),
    },
    "problem": {
        "child_abuse": ("kind, kinderen, minderjarige, jongere, mishandeling, misbruik", "child, children, minor"),
        "partner_violence": (
            "partner, relatiegeweld, huiselijk geweld, intrafamiliaal, echtgenoot, echtgenote, lief, ex",
            "partner, domestic violence, relationship violence, spouse, ex",
        ),
        "violence_between_minors": (
            "minderjarigen, jongeren, leeftijdsgenoten, pesten, vechten, broers, zussen",
            "minors, young people, peers, bullying, fighting, siblings",
        ),
        "violence_against_adults": ("volwassenen, volwassene", "adults, adult"),
        "intrafamily_adult_violence": (
            "intrafamiliaal, familie, gezin, broer, zus, volwassen kind, schoonfamilie",
            "intrafamilial, family, brother, sister, adult child, in-laws",
        ),
        "extrafamily_adult_violence": (
            "extrafamiliaal, buiten het gezin, buren, collega, kennis, vreemde",
            "extrafamilial, outside the family, neighbour, colleague, acquaintance, stranger",
        ),
        "parent_abuse": ("ouder, ouders, moeder, vader, kind slaat ouder", "parent, parents, mother, father"),
        "elder_abuse": (
            "ouderen, oudere, ouderenmishandeling, bejaarde, 60+, senior, grootouder, oma, opa",
            "elderly, older person, senior, grandparent",
        ),
        "trauma_processing": ("verwerking, trauma, verleden, vroeger", "trauma, processing, past"),
        "divorce_problems": (
            "scheiding, echtscheiding, gescheiden, vechtscheiding, omgangsregeling, verblijfsregeling, co-ouderschap",
            "divorce, separation, custody, contact arrangement, co-parenting",
        ),
        "homo_transphobic_violence": (
            "homofoob, transfoob, holebi, lgbt, lgbtq, homo, lesbisch, trans, queer",
            "homophobic, transphobic, lgbt, lgbtq, gay, lesbian, trans, queer",
        ),
        "stalking": ("belaging, stalker, achtervolgen, lastigvallen", "harassment, stalker, following"),
        "ritual_violence": ("ritueel, rituelen", "ritual"),
        "honour_violence": (
            "eer, eerwraak, eergerelateerd, uithuwelijking, gedwongen huwelijk, besnijdenis, vgv",
            "honour, honor, forced marriage, fgm",
        ),
        "ritual_honour_violence": (
            "ritueel, eer, eerwraak, eergerelateerd, uithuwelijking, gedwongen huwelijk, besnijdenis, vgv",
            "ritual, honour, honor, forced marriage, fgm",
        ),
        "institutional_abuse": (
            "instelling, institutioneel, internaat, kerk, voorziening, jeugdinstelling",
            "institution, institutional, boarding school, church",
        ),
        "other_violence": ("ander geweld, andere, geweld", "other violence, other"),
        "other_problem": ("andere, geen geweld, informatie, vraag", "other, no violence, information, question"),
        "not_categorised": ("niet gecategoriseerd, onbekend, onduidelijk", "not categorised, unknown, unclear"),
    },
    "context": {
        "separated_nuclear_family": (
            "gezin, kerngezin, gescheiden, scheiding, ouders gescheiden, nieuw samengesteld, plusgezin, co-ouderschap",
            "family, separated, divorced, blended family",
        ),
        "nuclear_family": (
            "gezin, kerngezin, thuis, ouders samen, getrouwd, samenwonend",
            "family, household, home, parents together",
        ),
        "extended_family": (
            "familie, grootouders, oma, opa, tante, oom, nonkel, neef, nicht, schoonfamilie",
            "extended family, relatives, grandparents, aunt, uncle, cousin, in-laws",
        ),
        "foster_family": (
            "pleeggezin, pleegouders, pleegzorg, pleegmoeder, pleegvader",
            "foster family, foster care, foster parents",
        ),
        "youth_institution": (
            "jeugdinstelling, jeugdhulp, voorziening, leefgroep, gemeenschapsinstelling, tehuis",
            "youth institution, residential care, children's home",
        ),
        "care_home": (
            "woonzorgcentrum, wzc, rusthuis, ouderen, verzorgingstehuis, serviceflat",
            "care home, nursing home, elderly",
        ),
        "psychosocial": (
            "hulpverlening, caw, psycholoog, therapeut, therapie, ggz, begeleiding, psychiatrie",
            "counselling, therapy, mental health, social work, psychiatry",
        ),
        "medical": (
            "ziekenhuis, dokter, huisarts, arts, verpleegkundige, tandarts, kinesist, kine",
            "hospital, doctor, gp, nurse, dentist, physiotherapist",
        ),
        "sport": ("sportclub, trainer, coach, voetbal, turnen, zwemmen", "sports club, trainer, coach, football"),
        "leisure": (
            "jeugdbeweging, chiro, scouts, hobby, vereniging, speelplein, uitgaan, vrije tijd",
            "youth movement, scouts, hobby, club, playground, going out",
        ),
        "school": (
            "school, onderwijs, leerkracht, leraar, juf, meester, klas, klasgenoot, speelplaats",
            "school, education, teacher, class, classmate, playground",
        ),
        "work": (
            "werk, werkplek, job, collega, baas, werkgever, leidinggevende, stage",
            "work, workplace, job, colleague, boss, employer, internship",
        ),
        "religion": (
            "kerk, moskee, synagoge, tempel, geloof, religie, priester, pastoor, imam, sekte",
            "church, mosque, synagogue, temple, faith, religion, priest, imam, cult",
        ),
        "other_context": ("andere, ander", "other"),
        "unknown": ("onbekend, weet niet", "unknown, not known"),
    },
    "violence_forms": {
        "emotional_violence": (
            "emotioneel, psychisch, psychologisch, verbaal, schelden, kleineren, vernederen, dreigen, bedreiging, "
            "controle, pesten, intimidatie, manipulatie",
            "emotional, psychological, verbal, insults, humiliation, threats, controlling, bullying, intimidation",
        ),
        "emotional_neglect": (
            "verwaarlozing, emotionele verwaarlozing, affectieve verwaarlozing, negeren, geen aandacht",
            "neglect, emotional neglect, ignoring",
        ),
        "physical_violence": (
            "fysiek, lichamelijk, slaan, klappen, schoppen, stampen, duwen, wurgen, verwonding, blauwe plekken",
            "physical, hitting, beating, kicking, pushing, choking, injury, bruises",
        ),
        "physical_neglect": (
            "verwaarlozing, fysieke verwaarlozing, lichamelijke verwaarlozing, geen eten, hygiëne, vuil",
            "neglect, physical neglect, no food, hygiene",
        ),
        "sexual_violence": (
            "seksueel, seks, misbruik, seksueel misbruik, verkrachting, aanranding, grensoverschrijdend, incest, "
            "grooming, sexting",
            "sexual, sex, sexual abuse, rape, sexual assault, incest, grooming, sexting",
        ),
        "economic_violence": (
            "economisch, financieel, geld, schulden, uitbuiting, afpersing",
            "economic, financial, money, debts, exploitation, extortion",
        ),
        "other": ("andere, ander", "other"),
        "unknown": ("onbekend", "unknown"),
    },
    "referrals": {
        "police_justice": (
            "politie, justitie, parket, aangifte, klacht, wijkagent, advocaat, rechter, jeugdrechter, slachtofferonthaal",
            "police, justice, report, complaint, lawyer, court, judge",
        ),
        "caw": (
            "centrum algemeen welzijnswerk, slachtofferhulp, onthaal, vluchthuis, opvang",
            "general welfare centre, victim support, shelter",
        ),
        "education": (
            "onderwijs, clb, school, leerlingenbegeleiding, zorgcoördinator",
            "education, school, pupil guidance",
        ),
        "medical_psychological": (
            "medisch, psychisch, dokter, huisarts, arts, psycholoog, psychiater, therapie, therapeut, ziekenhuis, "
            "zorgcentrum na seksueel geweld, zsg, ggz, cgg",
            "medical, psychological, doctor, gp, psychologist, psychiatrist, therapy, hospital, sexual assault centre",
        ),
        "information_advice": (
            "informatie, info, advies, ondersteuning, veiligheidsplan, tips",
            "information, advice, support, safety plan",
        ),
        "helplines": ("hulplijn, awel, tele-onthaal, 1813, zelfmoordlijn, chat", "helpline, hotline, chat"),
        "vk_ocj": (
            "vk, ocj, vertrouwenscentrum kindermishandeling, ondersteuningscentrum jeugdzorg, jeugdhulp, melding",
            "child abuse confidential centre, youth care support centre",
        ),
        "kind_en_gezin": (
            "kind en gezin, opgroeien, consultatiebureau, kinderopvang, huis van het kind, baby",
            "child and family, growing up, infant, baby",
        ),
        "ocmw": ("sociaal huis, leefloon, maatschappelijk werker, armoede", "social services, social worker, poverty"),
        "self_help": (
            "zelfhulp, zelfhulpgroep, lotgenoten, lotgenotengroep, praatgroep",
            "self-help, peer support, support group",
        ),
        "institutional_abuse_commission": (
            "commissie, misbruik, institutioneel, kerk, erkenning",
            "commission, institutional abuse, church, recognition",
        ),
        "other": ("ander gevolg, andere, ander", "other outcome, other"),
    },
}


def fill(apps, schema_editor):
    Code = apps.get_model("registration", "Code")
    for code in Code.objects.filter(group_en="").exclude(group_nl=""):
        if code.group_nl in GROUPS_EN:
            code.group_en = GROUPS_EN[code.group_nl]
            code.save(update_fields=["group_en"])
    for list_name, words in SEARCH_WORDS.items():
        for code in Code.objects.filter(list=list_name, code__in=list(words)):
            search_nl, search_en = words[code.code]
            changed = []
            if not code.search_nl:
                code.search_nl = search_nl
                changed.append("search_nl")
            if not code.search_en:
                code.search_en = search_en
                changed.append("search_en")
            if changed:
                code.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("registration", "0005_age_group_rollup")]

    operations = [
        migrations.AddField(
            model_name="code",
            name="group_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="groep (Engels)"),
        ),
        migrations.AddField(
            model_name="code",
            name="search_nl",
            field=models.TextField(
                blank=True,
                help_text="Woorden waarmee je deze code vindt bij het typen, naast het label; gescheiden door komma's.",
                verbose_name="zoekwoorden (Nederlands)",
            ),
        ),
        migrations.AddField(
            model_name="code",
            name="search_en",
            field=models.TextField(blank=True, verbose_name="zoekwoorden (Engels)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
