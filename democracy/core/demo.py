"""The demo municipality's content in English, Finnish and Arabic (issue 15 item 7), and its
own texts on the start page and the e-proposal rules (``EditorialText``).

The Swedish source texts live in each app's demo module; here are their translations, keyed
the same way, so the whole translated content can be read (and checked by a translator) in
one place. A certified translator should review them before a municipality relies on them
(docs/decisions.md, decision 89). Idempotent: a translation already there is left as it is.
"""

from democracy.core.models import EditorialText
from proposals import rules

# Topic slug -> {language: name}.
TOPICS = {
    "skola": {"en": "School and preschool", "fi": "Koulu ja esikoulu", "ar": "المدرسة والروضة"},
    "trafik": {"en": "Traffic and streets", "fi": "Liikenne ja kadut", "ar": "المرور والشوارع"},
    "miljo": {"en": "Environment and nature", "fi": "Ympäristö ja luonto", "ar": "البيئة والطبيعة"},
    "kultur-fritid": {
        "en": "Culture and leisure",
        "fi": "Kulttuuri ja vapaa-aika",
        "ar": "الثقافة وأوقات الفراغ",
    },
    "idrott": {"en": "Sport and exercise", "fi": "Urheilu ja liikunta", "ar": "الرياضة والتمارين"},
    "omsorg": {"en": "Care and health", "fi": "Hoiva ja terveys", "ar": "الرعاية والصحة"},
    "bostader": {
        "en": "Housing and building",
        "fi": "Asuminen ja rakentaminen",
        "ar": "السكن والبناء",
    },
    "ovrigt": {"en": "Other", "fi": "Muu", "ar": "أخرى"},
}

# The demo municipality's parts, used alike by e-proposals (the district a signer lives in)
# and the youth-council election (its districts, seats shared by the children living there):
# one municipality, one map. (slug, name, residents aged 6-17.)
DISTRICTS = [
    ("centrum", "Centrum", 3400),
    ("norra-hamnen", "Norra hamnen", 2100),
    ("vasterby", "Västerby", 2600),
    ("ostra-norrvik", "Östra Norrvik", 1900),
    ("skogsbacka", "Skogsbacka", 1200),
]

# District name -> {language: name}. Norra hamnen, Västerby and Skogsbacka are proper names
# and stay Swedish in every language (shown marked lang="sv").
DISTRICT_NAMES = {
    "Centrum": {"en": "City centre", "fi": "Keskusta", "ar": "وسط المدينة"},
    "Östra Norrvik": {"en": "East Norrvik", "fi": "Itä-Norrvik", "ar": "شرق نورفيك"},
}

# Rejection reason code -> {language: title}.
REASONS = {
    "not-municipal": {
        "en": "Not something the municipality decides",
        "fi": "Kunta ei päätä asiasta",
        "ar": "البلدية لا تقرر في هذه المسألة",
    },
    "repeat": {
        "en": "A similar proposal was decided in the last twelve months",
        "fi": "Samankaltaisesta ehdotuksesta on päätetty viimeisten kahdentoista kuukauden aikana",
        "ar": "صدر قرار بشأن اقتراح مشابه خلال الأشهر الاثني عشر الماضية",
    },
    "duplicate": {
        "en": "The same proposal is already collecting signatures",
        "fi": "Sama ehdotus kerää jo allekirjoituksia",
        "ar": "الاقتراح نفسه يجمع التوقيعات بالفعل",
    },
    "authority": {
        "en": "Concerns a decision about an individual",
        "fi": "Koskee viranomaisen päätöstä yksittäisestä henkilöstä",
        "ar": "يتعلق بقرار رسمي بشأن شخص بعينه",
    },
    "ongoing": {
        "en": "The matter is already handled in another process",
        "fi": "Asiaa käsitellään jo toisessa prosessissa",
        "ar": "المسألة قيد المعالجة بالفعل في إجراء آخر",
    },
    "complaint": {
        "en": "It is a fault report or a complaint",
        "fi": "Kyseessä on vikailmoitus tai valitus",
        "ar": "هذا بلاغ عن عطل أو شكوى",
    },
    "unclear": {
        "en": "It is not clear what the municipality should do",
        "fi": "Ehdotuksesta ei käy ilmi, mitä kunnan pitäisi tehdä",
        "ar": "ليس واضحًا ما الذي يجب على البلدية فعله",
    },
    "offensive": {
        "en": "Offensive or discriminating content",
        "fi": "Loukkaavaa tai syrjivää sisältöä",
        "ar": "محتوى مسيء أو تمييزي",
    },
    "personal-data": {
        "en": "Contains details of private persons",
        "fi": "Sisältää tietoja yksityishenkilöistä",
        "ar": "يحتوي على معلومات عن أفراد",
    },
    "advertising": {
        "en": "Advertising or party-political campaigning",
        "fi": "Mainontaa tai puoluepoliittista kampanjointia",
        "ar": "إعلان أو دعاية حزبية",
    },
}

# Body slug -> {language: description}. The bodies' names are Swedish proper names.
BODIES = {
    "kommunfullmaktige": {
        "en": "The municipality's highest decision-making body. The council decides on the "
        "budget, tax, goals and rules for the whole municipality. Its meetings are open to "
        "everyone.",
        "fi": "Kunnan ylin päättävä toimielin. Valtuusto päättää talousarviosta, verosta, "
        "tavoitteista ja säännöistä koko kunnalle. Kokoukset ovat avoimia kaikille.",
        "ar": "أعلى هيئة لاتخاذ القرار في البلدية. يقرر المجلس الميزانية والضرائب والأهداف "
        "والقواعد للبلدية كلها. جلساته مفتوحة للجميع.",
    },
    "kommunstyrelsen": {
        "en": "Leads and coordinates the municipality's work, manages its finances and "
        "prepares matters for the council.",
        "fi": "Johtaa ja sovittaa yhteen kunnan työtä, hoitaa taloutta ja valmistelee asiat "
        "valtuustolle.",
        "ar": "يقود عمل البلدية وينسّقه، ويدير شؤونها المالية، ويُعِدّ القضايا لمجلس البلدية.",
    },
    "ks-arbetsutskott": {
        "en": "Prepares the matters of the municipal executive board.",
        "fi": "Valmistelee kunnanhallituksen asiat.",
        "ar": "يُعِدّ القضايا التي ينظر فيها المجلس التنفيذي للبلدية.",
    },
    "barn-och-utbildningsnamnden": {
        "en": "Responsible for preschool, compulsory school, after-school centres and upper "
        "secondary school.",
        "fi": "Vastaa esikoulusta, peruskoulusta, vapaa-ajankodeista ja lukiosta.",
        "ar": "مسؤولة عن الروضة والمدرسة الأساسية ومراكز الأنشطة بعد المدرسة والمدرسة الثانوية.",
    },
    "socialnamnden": {
        "en": "Responsible for elderly care, support for people with disabilities, and social "
        "services for individuals and families.",
        "fi": "Vastaa vanhustenhuollosta, vammaisten ihmisten tuesta sekä yksilö- ja "
        "perhehuollosta.",
        "ar": "مسؤولة عن رعاية المسنين، ودعم الأشخاص ذوي الإعاقة، والخدمات الاجتماعية للأفراد "
        "والأسر.",
    },
    "samhallsbyggnadsnamnden": {
        "en": "Responsible for planning, building permits, streets, parks and environmental "
        "inspection.",
        "fi": "Vastaa kaavoituksesta, rakennusluvista, kaduista, puistoista ja "
        "ympäristövalvonnasta.",
        "ar": "مسؤولة عن التخطيط العمراني وتصاريح البناء والشوارع والحدائق والرقابة البيئية.",
    },
    "kultur-och-fritidsnamnden": {
        "en": "Responsible for libraries, the school of arts, sports facilities and grants to "
        "associations.",
        "fi": "Vastaa kirjastoista, kulttuurikoulusta, urheilupaikoista ja yhdistysavustuksista.",
        "ar": "مسؤولة عن المكتبات ومدرسة الفنون والمنشآت الرياضية والمنح المقدَّمة للجمعيات.",
    },
    "norrviks-energi-ab": {
        "en": "The municipality's company for district heating, the electricity grid and "
        "broadband.",
        "fi": "Kunnan yhtiö, joka vastaa kaukolämmöstä, sähköverkosta ja laajakaistasta.",
        "ar": "شركة البلدية للتدفئة المركزية وشبكة الكهرباء والإنترنت عريض النطاق.",
    },
    "ungdomsfullmaktige": {
        "en": "Young people's voice in the municipality. The students elect the members "
        "every autumn.",
        "fi": "Nuorten ääni kunnassa. Oppilaat valitsevat jäsenet joka syksy.",
        "ar": "صوت الشباب في البلدية. ينتخب الطلاب الأعضاء كل خريف.",
    },
}

# The demo municipality's own texts on the start page: {key: {language: text}}.
HUB_TEXTS = {
    EditorialText.Key.HUB_PROPOSALS: {
        "sv": "Föreslå något som gör Norrvik bättre. Ett förslag som får tillräckligt många "
        "underskrifter tas upp av den nämnd som ansvarar, och du får veta vad den beslutar.",
        "en": "Suggest something that makes Norrvik better. A proposal that gets enough "
        "signatures is taken up by the committee responsible, and you are told what it "
        "decides.",
        "fi": "Ehdota jotakin, mikä tekee Norrvikista paremman. Kun ehdotus saa tarpeeksi "
        "allekirjoituksia, vastuussa oleva lautakunta käsittelee sen, ja saat tietää sen "
        "päätöksen.",
        "ar": "اقترح شيئًا يجعل نورفيك أفضل. الاقتراح الذي يحصل على عدد كافٍ من التوقيعات "
        "تنظر فيه اللجنة المسؤولة، ونخبرك بقرارها.",
    },
    EditorialText.Key.HUB_POLITICIANS: {
        "sv": "Här finns alla politiker i Norrviks fullmäktige, styrelse och nämnder. Skicka "
        "ett meddelande till den som arbetar med din fråga.",
        "en": "Here are all the politicians in Norrvik's council, executive board and "
        "committees. Send a message to the one who works on your question.",
        "fi": "Täältä löydät kaikki Norrvikin valtuuston, kunnanhallituksen ja lautakuntien "
        "poliitikot. Lähetä viesti sille, joka hoitaa sinun asiaasi.",
        "ar": "هنا تجد جميع السياسيين في مجلس بلدية نورفيك ومجلسها التنفيذي ولجانها. أرسل "
        "رسالة إلى من يعمل على قضيتك.",
    },
    EditorialText.Key.HUB_MEETINGS: {
        "sv": "Kommunfullmäktige sammanträder i Stadshuset och mötena är öppna för alla. Här "
        "ser du kallelser, handlingar och beslut.",
        "en": "The municipal council meets in the City Hall, and the meetings are open to "
        "everyone. Here you find the notices, the documents and the decisions.",
        "fi": "Kunnanvaltuusto kokoontuu kaupungintalolla, ja kokoukset ovat avoimia kaikille. "
        "Täältä löydät kokouskutsut, asiakirjat ja päätökset.",
        "ar": "يجتمع مجلس البلدية في مبنى البلدية، وجلساته مفتوحة للجميع. هنا تجد الدعوات "
        "والوثائق والقرارات.",
    },
    EditorialText.Key.HUB_YOUTH_COUNCIL: {
        "sv": "Eleverna i Norrvik väljer ungdomsfullmäktige varje höst. De röstar i skolan, "
        "under lektionstid.",
        "en": "The students in Norrvik elect the youth council every autumn. They vote at "
        "school, during lessons.",
        "fi": "Norrvikin oppilaat valitsevat nuorisovaltuuston joka syksy. He äänestävät "
        "koulussa oppituntien aikana.",
        "ar": "ينتخب طلاب نورفيك مجلس الشباب كل خريف. يصوّتون في المدرسة أثناء الحصص الدراسية.",
    },
}

# The demo municipality's e-proposal rules; the numbers are the ones in force (settings).
RULES = {
    "sv": "<h2>Vem kan skriva och skriva under</h2><ul><li>Alla som har ett konto med en "
    "bekräftad e-postadress, oavsett ålder och var du bor.</li><li>Bara personer, inte "
    "företag eller föreningar.</li><li>Du kan skriva under ett förslag en gång.</li></ul>"
    "<h2>Så behandlas ett förslag</h2><ol><li>Du skriver förslaget. Du kan spara det som "
    "utkast.</li><li>En moderator på kommunledningskontoret läser det inom en vecka. "
    "Moderatorn publicerar det, ber dig ändra det eller avvisar det med ett skäl.</li>"
    "<li>Förslaget kan skrivas under i {days} dagar.</li><li>Får det {threshold} "
    "underskrifter skickas det till den nämnd som ansvarar. Det blir ett ärende med "
    "diarienummer.</li><li>Nämnden ska besluta inom {treatment} dagar. Du får beslutet med "
    "e-post.</li></ol><p>Kommunfullmäktige i Norrvik har beslutat om reglerna.</p>",
    "en": "<h2>Who can write and sign</h2><ul><li>Anyone with an account and a confirmed "
    "e-mail address, whatever your age or where you live.</li><li>Only people, not "
    "companies or associations.</li><li>You can sign a proposal once.</li></ul>"
    "<h2>How a proposal is handled</h2><ol><li>You write the proposal. You can save it as a "
    "draft.</li><li>A moderator at the municipal office reads it within a week. The "
    "moderator publishes it, asks you to change it, or rejects it with a reason.</li>"
    "<li>The proposal can be signed for {days} days.</li><li>If it gets {threshold} "
    "signatures, it is sent to the committee responsible. It becomes a case with a case "
    "number.</li><li>The committee should decide within {treatment} days. You get the "
    "decision by e-mail.</li></ol><p>The municipal council of Norrvik decided these "
    "rules.</p>",
    "fi": "<h2>Kuka voi kirjoittaa ja allekirjoittaa</h2><ul><li>Kuka tahansa, jolla on tili "
    "ja vahvistettu sähköpostiosoite, iästä ja asuinpaikasta riippumatta.</li><li>Vain "
    "ihmiset, eivät yritykset tai yhdistykset.</li><li>Voit allekirjoittaa ehdotuksen "
    "kerran.</li></ul><h2>Näin ehdotus käsitellään</h2><ol><li>Kirjoitat ehdotuksen. Voit "
    "tallentaa sen luonnoksena.</li><li>Kunnanviraston moderaattori lukee sen viikon "
    "kuluessa. Moderaattori julkaisee sen, pyytää sinua muuttamaan sitä tai hylkää sen ja "
    "kertoo syyn.</li><li>Ehdotusta voi allekirjoittaa {days} päivän ajan.</li><li>Jos se "
    "saa {threshold} allekirjoitusta, se lähetetään vastuussa olevalle lautakunnalle. "
    "Siitä tulee asia, jolla on diaarinumero.</li><li>Lautakunnan pitäisi päättää asiasta "
    "{treatment} päivän kuluessa. Saat päätöksen sähköpostilla.</li></ol><p>Norrvikin "
    "kunnanvaltuusto on päättänyt näistä säännöistä.</p>",
    "ar": "<h2>من يمكنه الكتابة والتوقيع</h2><ul><li>كل من لديه حساب وعنوان بريد إلكتروني "
    "مؤكَّد، أيًّا كان عمره أو مكان سكنه.</li><li>الأشخاص فقط، لا الشركات ولا الجمعيات."
    "</li><li>يمكنك التوقيع على الاقتراح مرة واحدة.</li></ul><h2>كيف يُعالَج الاقتراح</h2>"
    "<ol><li>تكتب الاقتراح. يمكنك حفظه كمسودة.</li><li>يقرأه مشرف في مكتب البلدية خلال "
    "أسبوع. ثم ينشره المشرف أو يطلب منك تعديله أو يرفضه مع ذكر السبب.</li><li>يمكن "
    "التوقيع على الاقتراح خلال {days} يومًا.</li><li>إذا حصل على {threshold} توقيع، يُرسَل "
    "إلى اللجنة المسؤولة ويصبح قضية لها رقم تسجيل.</li><li>يجب أن تقرر اللجنة خلال "
    "{treatment} يومًا. يصلك القرار بالبريد الإلكتروني.</li></ol><p>قرر مجلس بلدية نورفيك "
    "هذه القواعد.</p>",
}


def add_translations(obj, field: str, texts: dict[str, str]) -> bool:
    """Give ``obj`` the translations of ``field`` it lacks; True when it changed."""
    translations = dict(obj.translations or {})
    changed = False
    for language, text in texts.items():
        entry = dict(translations.get(language) or {})
        if not entry.get(field):
            entry[field] = text
            translations[language] = entry
            changed = True
    if changed:
        obj.translations = translations
        obj.save(update_fields=["translations"])
    return changed


def seed(out) -> None:

    now = rules.current()
    numbers = {
        "days": now.signing_days,
        "threshold": now.signature_threshold,
        "treatment": now.treatment_days,
    }
    texts = {
        **HUB_TEXTS,
        EditorialText.Key.PROPOSAL_RULES: {
            language: text.format(**numbers) for language, text in RULES.items()
        },
    }
    for key, by_language in texts.items():
        row, created = EditorialText.objects.get_or_create(
            key=key, defaults={"text": by_language["sv"]}
        )
        if created or not row.text:
            row.text = by_language["sv"]
            row.save(update_fields=["text"])
        add_translations(
            row, "text", {lang: text for lang, text in by_language.items() if lang != "sv"}
        )
    out(f"  Editable texts: {len(texts)} in {len(RULES)} languages.")
