"""The claim phrases lint looks for, in English and Spanish, and the letters each must hold.

Data for lint.claims, which decides whether a phrase found is a claim made
or one negated, warned against or reported. Names are what findings show
and lint.yaml's `allow` uses.
"""

from __future__ import annotations

# (name shown in findings, pattern). Names are what lint.yaml's `allow` uses.
# Each is looked for only in a text holding one of its keys (KEYS, below).
CLAIM_PATTERNS: tuple[tuple[str, str], ...] = (
    ("cure", r"\bcur(?:e|es|ed|ing|ative)\b"),
    ("guaranteed", r"\bguarantee(?:s|d|ing)?\b"),
    ("100%", r"(?<![\d.])100\s*(?:%|percent\b|per cent\b)"),
    ("no side effects", r"\b(?:no|zero|without(?:\s+any)?)\s+(?:\w+\s+)?side[\s-]+effects?\b|\bside[\s-]+effect[\s-]+free\b"),
    ("no risk", r"\b(?:no|zero|without(?:\s+any)?)\s+risks?\b(?![\s-]*free)|\brisk[\s-]*free\b"),
    ("FDA approved", r"\bfda[\s-]*(?:approved|approval(?!\s+(?:means|requires|process))|cleared)\b"
                     r"|\b(?:approved|cleared|backed|endorsed)\s+by\s+(?:the\s+)?fda\b"),
    ("regrow cartilage",
     r"\b(?:re-?grow|regenerat|rebuild|restor|replac|regrowth|repair)\w*\s+(?:\w+\s+){0,3}cartilage\b"
     r"|\bcartilage\s+(?:regrowth|regeneration|restoration|repair)\b|\bnew\s+cartilage\b"
     r"|\bcartilage\s+(?:\w+\s+){0,3}(?:re-?grows?|grows?\s+back|regenerates?)\b"
     r"|\b(?:turn|turns|become|becomes|change|changes|differentiate|differentiates)\s+into\s+(?:\w+\s+){0,2}cartilage\b"),
    ("eliminate pain", r"\beliminat\w*\s+(?:\w+\s+){0,3}pain\b|\bpain\s+elimination\b"),
    ("pain-free", r"\bpain[\s-]+free\b"),
    ("miracle", r"\bmiracle\w*\b|\bmiraculous\w*\b"),
    # What the clinics' ads promise besides (the seed article's "restore
    # joint function", "a less invasive alternative to surgery"...).
    ("repairs the joint",
     r"\b(?:repair|rebuild|rebuilt|regenerat|restor|rejuvenat|revers|fix|re-?grow)\w*\s+(?:[\w'-]+\s+){0,3}"
     r"(?:knees?|joints?|tissues?|damage|cushion\w*|wear|arthritis|osteoarthritis|cause|it|them)\b"
     r"|\bdamage\s+(?:\w+\s+){0,3}(?:repair|rebuild|regenerat|restor|revers|fix)\w*"),
    ("heals", r"\bheal(?:s|ed|ing)?\s+(?:[\w'-]+\s+){0,3}(?:knees?|joints?|cartilage|arthritis|osteoarthritis|damage|"
              r"tissues?|itself|yourself|naturally)\b|\bhealing\s+(?:power|abilit\w*|propert\w*)\b"),
    ("avoids surgery",
     r"\b(?:avoid\w*|skip|no\s+need\s+for|never\s+need|eliminat\w*\s+the\s+need\s+for|settle\s+for"
     r"|(?:safe|effective|proven|promising|invasive|natural|surgical|guaranteed|better|ideal)\s+alternative\s+to)\s+"
     r"(?:[\w'-]+\s+){0,3}(?:surgery|surgeries|replacements?|prosthes[ie]s)\b"),
    ("lasting relief", r"\b(?:permanent|lasting|long[\s-]lasting|lifelong)\s+(?:\w+\s+)?(?:relief|results?|cure|fix|"
                       r"solution|healing)\b|\bpermanently\s+\w+|\bfor\s+good\b(?!\s+reasons?)|\bforever\b"
                       r"|\blasts?\s+(?:for\s+)?(?:years|decades|a\s+lifetime)\b"
                       r"|\bresults?\s+(?:[\w'-]+\s+){0,3}permanent\b"),
    ("ends pain", r"\b(?:end|ends|ended|ending|stop|stops|banish\w*|erase\w*|rid\s+of|goodbye\s+to)\s+(?:to\s+)?"
                  r"(?:[\w'-]+\s+){0,2}(?:pain|arthritis|stiffness)\b"
                  r"|\bpain\s+(?:\w+\s+){0,2}(?:gone|disappear\w*|vanish\w*)\b"
                  r"|\b(?:live|life|living|walk|walking|again)\s+without\s+(?:[\w'-]+\s+){0,4}pain\b"
                  r"|\bno\s+more\s+(?:[\w'-]+\s+){0,2}(?:pain|limping|pills|surgery|suffering)\b"
                  r"|\bgoodbye\b|\bthing\s+of\s+the\s+past\b"),
    ("proven", r"\b(?:clinically|scientifically|medically)\s+proven\b"
               r"|\bproven\s+(?:way|alternative|cure|solution|protocol|method)\b|\btreatment\s+proven\b"
               r"|\bour\s+(?:[\w'-]+\s+)?proven\b"),
    ("safe", r"\b(?:completely|totally|perfectly|entirely|absolutely|100%)\s+safe\b"
             r"|\bsafe,?\s+(?:and\s+)?(?:effective|proven|natural)\b"),
    ("breakthrough", r"\bbreakthrough\b(?!\s+pain)|\b(?:revolutionary|cutting[\s-]edge|game[\s-]chang\w*|"
                     r"groundbreaking|life[\s-]changing|state[\s-]of[\s-]the[\s-]art|world[\s-]class|most\s+advanced|"
                     r"trusted\s+leader)\b"),
    ("like new", r"\bfeel\w*\s+(?:[\w'-]+\s+)?new\b|\blike\s+new\b|\byoung\s+again\b"
                 r"|\bturn\w*\s+back\s+the\s+clock\b|\blike\s+you\s+did\s+(?:[\w'-]+\s+){0,3}(?:young\w*|youth|twenties|"
                 r"thirties)\b|\b(?:reclaim|get)\s+your\s+(?:[\w'-]+\s+)?life\s+back\b|\breclaim\s+your\s+life\b"),
    ("success rate", r"\b(?:9\d|100)\s*(?:%|percent\b)\s+(?:of\s+)?our\s+patients\b"
                     r"|\b(?:success|satisfaction|cure)\s+rate\b"),
)
# The same claims in Spanish, with their inflections ("curan", "garantizados").
CLAIM_PATTERNS_ES: tuple[tuple[str, str], ...] = (
    ("cura", r"\bcur(?:a|an|ar|ará|arán|aría|ado|ada|ados|adas|ación|aciones|ativ[oa]s?)\b"),
    ("garantizado", r"\bgarantiz\w*|\bgarantías?\b"),
    ("100%", r"(?<![\d.,])100\s*(?:%|por\s*ciento\b)|\bcien\s+por\s*ciento\b"),
    ("sin efectos secundarios",
     r"\b(?:sin|ningún|cero|libre\s+de)\s+(?:\w+\s+)?efectos?\s+(?:secundarios?|adversos?)\b"),
    ("sin riesgos", r"\b(?:sin|cero|ningún|libre\s+de)\s+(?:ningún\s+)?riesgos?\b"),
    ("aprobado por la FDA",
     r"\baprobad[oa]s?\s+por\s+(?:la\s+)?fda\b|\baprobaci[oó]n\s+de\s+(?:la\s+)?fda\b"
     r"|\bfda[\s-]+aprobad[oa]s?\b|\bautorizad[oa]s?\s+por\s+(?:la\s+)?fda\b"),
    ("regenera el cartílago",
     r"\b(?:regener|reconstru|restaur|reempla|recuper|rehac|rehag|repar)\w*\s+(?:\w+\s+){0,3}cart[ií]lagos?\b"
     r"|\bcart[ií]lagos?\s+(?:\w+\s+){0,2}(?:se\s+)?regener\w*|\bregeneraci[oó]n\s+(?:del?\s+)?cart[ií]lago"
     r"|\b(?:nuevo|nuevos)\s+cart[ií]lagos?\b|\bcart[ií]lagos?\s+nuevos?\b"
     r"|\bconvierten?\s+en\s+(?:\w+\s+){0,2}cart[ií]lago"),
    ("eliminar el dolor", r"\belimin\w*\s+(?:\w+\s+){0,3}dolor(?:es)?\b|\bacab\w*\s+con\s+(?:\w+\s+){0,3}dolor(?:es)?\b"),
    ("sin dolor", r"\b(?:libre\s+de|adiós\s+al)\s+dolor\b|\b(?:vida|viv\w*|camin\w*)\s+sin\s+dolor\b"),
    ("milagro", r"\bmilagr\w*"),
    ("repara la articulación",
     r"\b(?:repar|reconstru|regener|restaur|rejuvenec|reviert|revert)\w*\s+(?:\w+\s+){0,3}"
     r"(?:rodillas?|articulaci[oó]n\w*|tejidos?|daño|función|movilidad|artritis|artrosis)\b"),
    ("sana la rodilla",
     r"\b(?:sana|sanan|sanar|sanará|sanarán|sane|sanen)\s+(?:\w+\s+){0,3}"
     r"(?:rodillas?|articulaci[oó]n\w*|cart[ií]lagos?|tejidos?|daño|artritis|artrosis)\b"),
    ("evita la cirugía",
     r"\b(?:evit\w*|nunca\s+necesitar\w*|sin\s+necesidad\s+de|alternativa\s+a)\s+(?:\w+\s+){0,3}"
     r"(?:cirug[ií]as?|reemplazos?|pr[oó]tesis)\b"),
    ("alivio permanente", r"\b(?:alivio|resultados?|curaci[oó]n)\s+(?:[\w'-]+\s+){0,4}(?:permanentes?|definitiv[oa]s?|"
                          r"duraderos?)\b|\bpara\s+siempre\b"),
    ("seguro", r"\b(?:totalmente|completamente|perfectamente|absolutamente|100\s*%)\s+segur[oa]s?\b"
               r"|\bsegur[oa]s?\s+y\s+(?:eficaz|efectiv[oa]|natural|probad[oa])\w*"),
    ("revolucionario", r"\brevolucionari[oa]s?\b|\bde\s+vanguardia\b|\bcosa\s+del\s+pasado\b"
                       r"|\b(?:recuper\w*|cambi\w*)\s+su\s+vida\b"),
    ("detiene la artritis", r"\b(?:deten\w*|detien\w*|fren\w*)\s+(?:la\s+|su\s+)?(?:artritis|artrosis|dolor)\b"
                            r"|\b(?:otra\s+vez|de\s+nuevo)\s+sin\s+(?:[\w'-]+\s+){0,3}dolor\b"),
    ("tasa de éxito", r"\b(?:9\d|100)\s*(?:%|por\s*ciento)\s+de\s+nuestros\s+pacientes\b|\btasa\s+de\s+(?:éxito|curación)\b"),
)
# Text every match of a claim's pattern holds, in lower case and with its
# spaces as single spaces (lint.claims.keyed_text): at least one of the
# keys, in every alternative (tests/test_claims_keys.py checks). A text
# without any of them cannot hold the claim, and looking for plain text is
# far cheaper than the pattern's word-by-word trials. Nine texts in ten hold
# none, and the patterns were most of a cold lint's claim check; keys are
# chosen among a match's rarer words ("goodbye", "no more") rather than the
# common ones every section holds ("pain", "arthritis").
KEYS: dict[str, tuple[str, ...]] = {
    # "100%" is the name in both languages: "100", or Spanish "cien por ciento".
    "cure": ("cur",), "guaranteed": ("guarantee",), "100%": ("100", "cien"), "no side effects": ("side",),
    "no risk": ("risk",), "FDA approved": ("fda",), "regrow cartilage": ("cartilage",),
    "eliminate pain": ("eliminat",), "pain-free": ("free",), "miracle": ("mirac",),
    "repairs the joint": ("repair", "rebuil", "regenerat", "restor", "rejuvenat", "revers", "fix", "grow"),
    "heals": ("heal",),
    "avoids surgery": ("avoid", "skip", "no need for", "never need", "the need for", "settle for", "alternative to"),
    "lasting relief": ("permanent", "lasting", "lifelong", "for good", "forever", "last"),
    "ends pain": ("end", "stop", "banish", "erase", "rid of", "goodbye", "gone", "disappear", "vanish",
                  "without", "no more", "thing of the past"),
    "proven": ("proven",), "safe": ("safe",),
    "breakthrough": ("breakthrough", "revolutionary", "cutting", "game", "groundbreaking", "changing",
                     "state of", "state-of", "world class", "world-class", "most advanced", "trusted leader"),
    "like new": ("feel", "like new", "young again", "back the clock", "like you did", "life back",
                 "reclaim your life"),
    "success rate": ("our patients", "rate"),
    "cura": ("cur",), "garantizado": ("garant",), "sin efectos secundarios": ("efecto",),
    "sin riesgos": ("riesgo",), "aprobado por la FDA": ("fda",), "regenera el cartílago": ("cart",),
    "eliminar el dolor": ("elimin", "acab"), "sin dolor": ("dolor",),
    "milagro": ("milagr",),
    "repara la articulación": ("repar", "reconstru", "regener", "restaur", "rejuvenec", "reviert", "revert"),
    "sana la rodilla": ("sana", "sane"),
    "evita la cirugía": ("evit", "nunca necesitar", "sin necesidad de", "alternativa a"),
    "alivio permanente": ("permanente", "definitiv", "duradero", "para siempre"),
    "seguro": ("segur",),
    "revolucionario": ("revolucionari", "vanguardia", "cosa del pasado", "su vida"),
    "detiene la artritis": ("deten", "detien", "fren", " sin "),
    "tasa de éxito": ("nuestros pacientes", "tasa de"),
}
