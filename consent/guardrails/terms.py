"""The word lists of the note guardrail (consent.guardrails), per category and
language. They are matched against folded text (folding.fold): lower case,
Turkish ı/İ/I all i, ş ğ ç ö ü ä ß reduced to ASCII, Cyrillic ё to е, white
space runs as one space.

Every pattern matches whole words: it starts at a word start and must end at
a word end. ``~`` lets a word go on: Turkish suffixes ("diyabet~" finds
"diyabeti", "diyabetli"), Russian endings ("беремен~" finds "беременна",
"беременности"), and in front of a stem, German compounds ("~allergi~" finds
"Nussallergie"). A stem that is also an ordinary hotel word gets the words
around it that make it sensitive, not a bare ``~``: "kalp" alone is in
"kalpten teşekkürler", "şeker" alone is sugar, "çarşaf" alone is a bed sheet.

What is deliberately NOT here (each decided once, see the package docstring):
vegetarian/vegan (a diet preference), nationality and market language
("German guest", "Alman misafir", "русскоязычные"), holidays as dates ("Noel
yemeği", "Christmas dinner", "Ramazan Bayramı'nda geliyorlar"), a guest asking
about the hotel's doctor, hospital or prayer room distance, honeymoon, dress
codes, pillow-menu items (hypoallergenic pillow), tattoos.
"""

from __future__ import annotations

# The lists are laid out by hand, a few related words to a line.
# fmt: off

# --- KVKK art. 6 special categories --------------------------------------------------------

HEALTH = {
    "tr": [
        # "hasta" alone (sick, patient) and its forms; "hastası" is left out:
        # "Fenerbahçe hastası" is a fan, and "şeker/kalp hastası" are below.
        r"hasta", r"hastay~", r"hastal~", r"rahatsizlan~", r"rahatsizlig(?:i|im)? var~",
        r"(?:kalp|mide|bobrek|karaciger|akciger|sinir|ruhsal|psikolojik|kronik|solunum|"
        r"tiroid|kas|eklem|bel|boyun) (?:rahatsiz|hastalig|problem|sorun)~",
        # A hospital as a place the guest is in, not one asked about.
        r"hastanede~", r"hastaneye (?:kaldir|yatir|gotur|kaldir|sevk|git|gitti)~",
        r"hastaneden (?:taburcu|cik|don)~", r"taburcu~",
        r"diyabet~", r"diabet~", r"seker hasta~", r"sekeri (?:var|yuksel|dus|cik)~",
        r"sekerim var", r"insulin~", r"tansiyon~", r"hipertansiyon~", r"kolesterol~",
        r"astim~", r"bronsit~", r"koah", r"epilepsi~", r"sara (?:hasta|nobet|krizi)~",
        r"nobet gecir~", r"havale gecir~", r"kanser~", r"tumor~", r"kemoterapi~", r"kemo",
        r"radyoterapi~", r"onkoloji~", r"losemi~",
        r"kalp (?:hasta|krizi|rahatsiz|ameliyat|pil|yetmezlig|sorun|problem|damar|ritim|"
        r"kapak|atisi|ilac)~",
        r"kalb(?:i|inden|ini) (?:rahatsiz|ameliyat|sorun|problem|hasta|tekliyor)~",
        r"by-?pass~", r"anjiyo~", r"stent~", r"inme gecir~", r"felc~",
        r"depresyon~", r"panik atak~", r"anksiyete~", r"psikiyatri (?:tedavi|hasta|ilac)~",
        r"psikiyatrik~",
        r"psikolojik (?:sorun|rahatsiz|tedavi|destek|problem)~", r"antidepresan~", r"bipolar~",
        r"sizofren~", r"obsesif~", r"otizm~", r"otistik~", r"dehb", r"hiperaktiv~",
        r"down sendrom~", r"zihinsel (?:engel|yetersiz)~", r"alzheimer~", r"demans~",
        r"parkinson~", r"ms hasta~", r"multipl skleroz~", r"hiv~", r"hepatit~", r"sarilik~",
        r"diyaliz~", r"(?:bobrek|karaciger|organ) (?:hasta|yetmez|nakl|tasi|rahatsiz)~",
        r"ameliyat~", r"operasyon gecir~", r"kurtaj~", r"sezaryen~", r"tup bebek~",
        # Allergy and intolerance: the product keeps them in the restricted needs field.
        r"all?erj~", r"colyak~", r"gluten~", r"glutensiz~", r"laktoz~", r"intoleran~",
        r"hamile~", r"gebe", r"gebelik~", r"gebeli~", r"bebek bekli~", r"lohusa~",
        r"dusuk yap~",
        # "Engelli odası" is a room type, but asking for one tells the guest's disability.
        r"engelli~",
        r"(?:yurume|gorme|isitme|bedensel|zihinsel|ortopedi|ortopedik) engel~",
        # "sakatat" (offal) is on the menu.
        r"tekerlekli sandalye~", r"akulu sandalye~", r"sakat(?!at)~", r"sagir~", r"isitme cihaz~",
        r"koltuk degnek~", r"yurutec~", r"protez~", r"ozel gereksinim~",
        # ilaç is medication; ilaçlama is the pest control of the garden.
        r"ilac(?!lam|lan)~", r"recete~", r"muayene~",
        r"doktor(?:a|u|unu)? (?:ihtiyac|cagir|gotur|muayene|kontrol|gel|git|gorun)~",
        r"doktora (?:git|gotur|gidece|ihtiyac|goster)~", r"hekime (?:git|gotur)~",
        r"tedavi~", r"fizyoterap~", r"ambulans~", r"yaralan~", r"yarali",
        r"(?:kolu|kolunu|bacagi|bacagini|ayagi|ayagini|bilegi|bilegini|kalcasi|kalcasini|"
        r"parmagi|parmagini|kaburgasi) (?:kir|burk|cik)~",
        r"kirik (?:kol|bacak|ayak|bilek|kaburga|parmak)~", r"burkul~", r"alci(?:da|ya)~",
        r"atesi (?:var|cik|yuksel|dus|olan|ol)~", r"atesl(?:en|endi)~",
        r"grip (?:oldu|olmus|olan|gecir)~", r"gribi~", r"gribal~", r"nezle~", r"ishal~",
        r"kusma~", r"kustu~", r"kusuyor~", r"mide bulanti~", r"zehirlen~",
        r"enfeksiyon~", r"covid(?:'?e yakalan|'?li| oldu| olmus| pozitif| gecir| hasta)~",
        r"koronavirus~", r"koronaya yakalan~", r"korona pozitif~",
        r"(?:bas|sirt|bel|dis|karin|mide|gogus|kulak|bogaz|diz) agri~", r"agrilari var",
        r"agrisi var", r"migren~", r"obez~", r"bagimli~", r"alkolik~", r"intihar~",
        r"yeme bozuklug~", r"anoreksi~", r"bulimi~", r"tiroid~", r"guatr~", r"romatizma~",
        r"fitik~", r"saglik (?:durum|sorun|problem|sebep|neden|raporu)~", r"sac ekim~",
        r"dializ~", r"diyaliz~", r"hemodiyaliz~",
    ],
    "en": [
        r"diabet~", r"insulin~", r"blood sugar~", r"hypoglyc~", r"hyperglyc~",
        r"all?erg~", r"anaphyla~", r"epi-?pen~", r"gluten~", r"lactose~", r"intoleran~",
        r"c(?:o)?eliac~", r"asthma~", r"inhaler~", r"epilep~", r"seizure~", r"cancer~",
        r"tumou?r~", r"chemo~", r"radiotherap~", r"radiation therapy", r"oncolog~",
        r"leuka?emia~",
        r"heart (?:attack|condition|disease|problem|surgery|failure|patient|issue|trouble|"
        r"operation|murmur)~",
        r"cardiac~", r"pacemaker~", r"bypass surgery", r"stent~",
        r"(?:had|suffered|after|recovering from) (?:a |her |his )?stroke",
        r"blood pressure", r"hypertension~", r"cholesterol~",
        r"depression", r"depressed", r"antidepressant~", r"anxiety~", r"panic attack~",
        r"bipolar~", r"schizophreni~", r"ocd", r"ptsd",
        # A psychiatrist is also a guest's profession.
        r"mental (?:health|illness|disorder|condition|breakdown|problem|issue)~", r"psychiatric~",
        r"autis~", r"adhd", r"down'?s? syndrome", r"special needs", r"learning disabilit~",
        r"dementia~", r"alzheimer~", r"parkinson~", r"multiple sclerosis", r"hiv", r"hepatitis~",
        r"dialysis~",
        r"(?:kidney|liver|lung) (?:disease|failure|transplant|stones?|problem|condition)~",
        r"transplant~",
        r"surger(?:y|ies)", r"post-?op~", r"operated on",
        r"(?:had|having|after|before|recovering from|recovery from) (?:an |his |her |the |a )?"
        r"(?:knee |hip |back |eye |heart )?operation",
        r"injur~", r"broke (?:his|her|my|their|a) (?:leg|arm|ankle|wrist|hip|foot|toe|finger|rib|"
        r"nose|collarbone)~",
        r"broken (?:leg|arm|ankle|wrist|hip|foot|toe|finger|rib|nose|collarbone)~",
        r"(?:hip|knee|joint) replacement~", r"sprain~", r"fractur~",
        r"(?:in|wears|wearing) a cast", r"plaster cast", r"crutch~",
        r"w(?:h)?ee?l ?chair~", r"wheel-chair~",
        r"mobility (?:issue|problem|impair|aid|scooter|need)~", r"reduced mobility",
        r"walking (?:frame|aid|stick)~", r"disabilit~",
        r"disabled (?:guest|person|child|son|daughter|husband|wife|room|access|mother|father|"
        r"people|bathroom|toilet|parking|man|woman|kid|boy|girl|friend|brother|sister)~",
        r"(?:is|are|physically|mentally|severely) disabled",
        # A golf handicap is what Belek guests tell us most often.
        r"handicapped~", r"handicap (?:room|access|toilet|parking|bathroom)~",
        r"accessible (?:room|bathroom|shower|toilet|suite)~", r"accessibility (?:room|needs?)~",
        r"barrier-? ?free~",
        r"(?:is|are|partially|legally|completely) blind", r"visually impaired",
        r"blind (?:guest|man|woman|person|since|son|daughter|husband|wife)~", r"guide dog~",
        r"deaf", r"deafness", r"hard of hearing", r"hearing (?:aid|impair)~", r"sign language",
        r"pregn~", r"pregant~", r"expecting (?:a baby|twins|their first)", r"miscarriage~",
        r"morning sickness",
        # "sick of waiting" is impatience, not health.
        r"(?:is|was|were|got|fell|feels?|feeling|felt|been|are|became|very|still|be|get|gets) "
        r"(?:very |really |quite |a bit |so |too )?sick(?! of| and tired)(?!-)",
        r"sick (?:child|son|daughter|husband|wife|kid|baby|guest|mother|father|boy|girl)~",
        r"(?:sea|motion|car|travel|morning|altitude) ?sick~", r"sickness",
        r"(?:is|was|got|fell|became|seriously|terminally|critically|chronically|mentally|very|"
        r"been|feeling|felt|feels) ill(?!-)",
        r"illness~", r"disease~", r"diagnos~", r"medication~", r"medicine~", r"meds",
        r"prescription~", r"pills?", r"vomit~", r"diarrh?o?ea~", r"food poisoning",
        r"fever~", r"flu", r"covid(?:-19)? (?:positive|infection)", r"tested positive",
        r"(?:has|had|got|caught) covid~", r"infection~",
        # "How far is the hospital?" is a question about the area.
        r"(?:taken|rushed|admitted|went|go|goes|going|been|stays?|staying|stayed|lies|lying|"
        r"ended up|brought|transferred|in) (?:to |in |at |into )?(?:the |a )?hospital~",
        r"hospitali[sz]~", r"discharged from~",
        # The guest's doctor, not "is there a doctor on call?".
        r"(?:needs?|needed|call(?:ed)?|see|saw|seeing|visit(?:ed)?|took|take|taken|bring|"
        r"brought|wants?) (?:a |the |his |her |their |our |to (?:a |the )?)?"
        r"(?:doctor|physician|gp|dr)",
        r"doctor (?:came|visited|examined|said|prescribed|was called)~",
        r"doctor'?s (?:appointment|note|visit)~",
        r"ambulance~", r"paramedic~", r"obes~",
        r"(?:drug|alcohol|gambling|heroin|opioid|cocaine) addict~", r"addiction~",
        r"alcoholi(?:c|sm)~", r"rehab~",
        r"suicid~", r"eating disorder~", r"anorexi~", r"bulimi~", r"ivf",
        r"fertility treatment~", r"migraine~", r"chronic pain",
        r"(?:back|stomach|chest|tooth|head|ear) ?ache~", r"(?:back|chest|joint) pain",
        r"thyroid~", r"arthritis~", r"rheumat~", r"osteopor~", r"hernia~", r"physiotherap~",
        r"physical therapy", r"blood (?:test|thinner)~", r"cpap",
        r"health (?:condition|issue|problem|reason)~",
        r"medical (?:condition|reason|issue|history)~",
        r"brca~", r"dialys~", r"haemodialys~", r"hemodialys~",
    ],
    "de": [
        r"zuckerkrank~", r"unterzucker~", r"~allergi~", r"~unvertraglich~", r"~intoleranz~",
        r"laktose~", r"zoliakie~", r"schwanger~", r"krank", r"kranke[rnms]?", r"~krankheit~",
        r"~erkrank~", r"(?:herz|nieren|krebs|schwer|tod|leber)krank~", r"krankgeschrieben",
        r"(?:im|ins) krankenhaus", r"krankenhausaufenthalt~", r"krankenwagen~",
        r"rettungswagen~", r"notarzt~", r"notaufnahme~",
        r"(?:braucht|brauchte|brauchen|benotigt|benotigen) (?:einen |eine |dringend )?"
        r"(?:arzt|arztin|notarzt|doktor)",
        r"zum arzt", r"beim arzt", r"arzt (?:gerufen|kam|war da)~", r"arzttermin~",
        r"arztbesuch~",
        # "herzlich", "herzhaft" (hearty food) and "Herz-Torte" are not here.
        r"herz(?:krank|infarkt|problem|schrittmacher|fehler|leiden|insuffizienz|rhythmus|"
        r"klappe|operation|op|schwache|beschwerden|erkrank|katheter)~",
        r"infarkt~", r"krebs(?:erkrank|patient|krank|behandlung|diagnose|therapie)~",
        r"(?:hat|an|gegen) krebs", r"tumor~", r"depression~", r"depressiv~", r"~blutdruck~",
        r"bluthochdruck~", r"dialyse~", r"schlaganfall~", r"demenz~", r"adhs",
        r"down-?syndrom~", r"migrane~", r"operiert~",
        r"(?:nach|vor) (?:einer|der|seiner|ihrer) (?:op|operation)",
        r"(?:knie|herz|huft|rucken|bandscheiben|augen|schulter|hand)operation~",
        r"medikament~", r"tablette~", r"verletzt~",
        r"(?:bein|arm|fuss|knochen|handgelenk|hufte|knochel)~ (?:ist )?gebrochen",
        r"gebrochene[nrms]? (?:bein|arm|fuss|handgelenk|knochel)~",
        r"beinbruch~", r"armbruch~", r"knochenbruch~", r"im gips", r"gipsbein~", r"gipsarm~",
        # "Verkehrsbehinderung" is a traffic jam on the transfer route.
        r"krucken~", r"rollstuhl~", r"rollator~",
        r"(?:schwer|korper|geh|seh|hor|geistig|lern)?behindert~",
        r"(?:schwer|korper|geh|seh|hor|geistig|lern)?behinderung~",
        r"barrierefrei~", r"rollstuhlgerecht~", r"behindertengerecht~",
        r"(?:ist|sind) blind", r"blinde[rn]? (?:gast|mann|frau|sohn|tochter)~", r"gehorlos~",
        r"schwerhorig~", r"horgerat~", r"ist taub", r"pflegebedurftig~", r"pflegegrad~",
        r"fieber~", r"grippe~", r"erkaltet~", r"erkaltung~", r"durchfall~", r"ubelkeit~",
        r"erbrochen", r"ubergibt sich", r"~vergiftung~", r"magen-darm~",
        r"corona-?positiv~", r"coronainfektion~", r"adipositas~", r"fettleibig~",
        r"alkoholiker~", r"alkoholkrank~", r"drogenabhangig~", r"suchtkrank~", r"suizid~",
        r"selbstmord~", r"reha", r"reha-?klinik~", r"~schmerz(?:en|mittel)~",
        r"insulinpflichtig~", r"blutverdunner~", r"antidepressiv~", r"psychopharmak~",
        r"gesundheitlich~ (?:problem|grund|grunden|einschrankung)~", r"gesundheitszustand~",
        r"dialyse~",
    ],
    "ru": [
        r"диабет~", r"инсулин~", r"аллерг~", r"анафилакс~", r"непереносимост~", r"целиаки~",
        r"глютен~", r"безглютен~", r"лактоз~", r"безлактоз~",
        r"беремен~", r"(?:ждет|ждут|ждем) ребенка", r"выкидыш~", r"в (?:интересном )?положении",
        r"инвалид~", r"колясочник~", r"ограниченн~ (?:возможност|подвижност)~",
        r"слеп(?:ой|ая|ые|ого|ому|ота)", r"слабовид~", r"незряч~", r"слабослыш~",
        r"слухов~ аппарат~", r"костыл~", r"ходунк~", r"перелом~",
        r"сломал~ (?:ногу|руку|лодыжку|запястье|палец|ребро|ключицу)", r"травм~", r"ушиб~",
        r"растяжени~ (?:связок|связки)", r"в гипсе",
        r"болезн~", r"болен", r"больна", r"больны", r"больно(?:й|го|му|м)", r"больная",
        r"больную", r"заболе~", r"болеет", r"болеют", r"болел[аи]?", r"болит", r"болят",
        r"приболел~", r"(?:в|из) больниц~", r"госпитализ~",
        r"скор(?:ая|ую|ой) помощ~", r"вызва~ скорую",
        r"(?:нуж|вызв|вызыв)~ (?:~ )?(?:врач|доктор)~", r"к врачу", r"у врача",
        r"врач (?:осмотрел|приходил|сказал|прописал)~",
        r"сердечн~ (?:приступ|недостаточност|заболевани|болезн|ритм)~",
        r"(?:проблем~|больное) (?:с )?сердц~", r"инфаркт~", r"кардиостимулятор~", r"инсульт~",
        r"стент~", r"шунтировани~",
        r"онколог~", r"рак (?:груди|легких|кожи|крови|желудка|простаты)", r"раком",
        r"химиотерап~", r"опухол~", r"лейкоз~",
        r"эпилепс~", r"эпилептик~", r"припад~", r"астм~", r"ингалятор~",
        r"гипертони~", r"гипотони~",
        # Low pressure in the shower is a complaint, not a condition.
        r"(?:повышенн|высок|низк|пониженн)~ (?:артериальн~ )?давлени~(?! вод| в душ| в кран)",
        r"депресси~", r"тревожн~ расстройств~", r"паническ~ атак~", r"психиатрическ~",
        r"психическ~ (?:расстройств|заболевани|болезн)~", r"антидепрессант~", r"аутиз~",
        r"аутист~", r"синдром~ дауна", r"деменц~", r"альцгеймер~", r"паркинсон~",
        r"шизофрен~", r"биполярн~", r"вич", r"спид", r"гепатит~", r"диализ~",
        r"(?:почечн|печеночн|сердечн)~ недостаточност~", r"трансплантац~",
        r"пересадк~ (?:почк|печен|сердц)~",
        r"после операци~", r"перенес~ операци~", r"прооперир~",
        r"операци~ на (?:сердц|колен|спин|позвоночник|глаз|ног|бедр)~",
        r"лекарств~", r"медикамент~", r"таблет(?:к|ок)~", r"уколы?", r"инъекци~",
        r"температур~ (?:у|под) (?:него|нее|ребенка|сына|дочери|мужа|жены)",
        r"(?:у )?(?:него|нее|ребенка|сына|дочери|мужа|жены) (?:высокая |поднялась )?"
        r"температур~",
        r"лихорадк~", r"грипп~", r"простуд~", r"ковид~", r"коронавирус~", r"отравлени~",
        r"отравил~", r"диаре~", r"понос~", r"рвот~", r"тошнит", r"тошнота", r"инфекци~",
        r"ожирени~", r"алкоголи(?:к|зм)~", r"наркоман~", r"наркозависим~",
        r"(?:алкогольн|наркотическ)~ зависимост~", r"суицид~", r"самоубийств~",
        r"физиотерап~", r"реабилитаци~", r"боли в (?:спине|сердце|животе|груди|суставах)",
        r"головн~ бол~", r"(?:проблем~ со|состояни~|по состоянию) здоровь~",
        r"гемодиализ~", r"диализ~",
    ],
}

RELIGION_BELIEF = {
    "tr": [
        # "İslam" alone is also a first name ("İslam Bey aradı").
        r"musluman~", r"islam (?:dini|inanc)~", r"islami (?:hassasiyet|kural|yasam)~",
        r"alevi~", r"sunni~", r"sii(?:'\w*|ler~|dir|yim|yiz)?", r"caferi~",
        r"h(?:i)?ristiyan~", r"yahudi~", r"musevi~", r"katolik~", r"protestan~",
        r"ortodoks~", r"budist~", r"budizm~", r"hindu", r"hinduizm~", r"ateist~", r"ateizm~",
        r"deist~", r"agnostik~", r"dinsiz~", r"dindar~", r"yehova~", r"mezhep~", r"mezheb~",
        r"tarikat~", r"cemaat~", r"inanc~",
        r"dini (?:inanc|sebep|neden|vecibe|hassasiyet|kural|gerek|hayat|bakim)~", r"dinen",
        r"dinine", r"dininden", r"dinini", r"dininin", r"dinsel~",
        # Practice tells belief as much as a label does.
        r"namaz~", r"oruc (?:tut|tuta)~", r"oruclu~", r"orucu~", r"ibadet~", r"mescit~",
        r"mescid~", r"seccade~", r"kible~", r"abdest~", r"hacca~", r"umre~",
        # Halal/kosher food asked for says the guest's religion; "helal olsun" is praise.
        r"helal(?! ol| et|les)~", r"koser~",
        r"ezidi~", r"yezidi~",
    ],
    "en": [
        r"muslim~", r"moslem~", r"islamic~",
        # Christian is also a first name ("Christian Weber called").
        r"(?:is|are|a|as|being|devout|practising|practicing|orthodox|catholic|evangelical|"
        r"born-again|religion:?|faith:?|they're|he's|she's|we're) christian~",
        r"christians", r"christianity",
        r"christian (?:family|families|guest|guests|faith|couple|values|group|groups|man|woman|"
        r"lady|gentleman|wedding|background|household|parents|believer)~",
        r"jew", r"jews", r"jewish~", r"judaism~", r"hindu~", r"buddhis~", r"sikh~", r"atheis~",
        r"agnostic~", r"catholic~", r"protestant~", r"evangelical~", r"mormon~", r"jehovah~",
        # "an observant lifeguard" is attentive.
        r"scientolog~", r"religio~", r"observant (?:jew|muslim|catholic|family|guest)~",
        r"devout~", r"pray(?:s|ing|er|ers|ed)?",
        r"halal~", r"kosher~", r"kashrut", r"orthodox~", r"shabbat~", r"sabbath~", r"qibla",
        r"ramadan fast~", r"(?:is|are|he's|she's|they're|while|during|be|been) fasting",
        r"fasting (?:for|during) (?:ramadan|lent)",
        r"(?:sunday|attend|attends|attending|go to|goes to|going to|catholic) mass",
        r"observ~ (?:ramadan|lent|shabbat|sabbath)",
        r"yazidi~", r"yezidi~", r"ezidi~",
    ],
    "de": [
        r"islamisch~", r"christ", r"christin", r"christen", r"christlich~", r"jude", r"juden",
        r"judin~", r"judisch~", r"katholi~", r"evangelisch~", r"atheist~", r"konfession~",
        # "gebeten" is "asked" (hat um ein Zimmer gebeten).
        r"glaubig(?:e|en|er|es)?", r"beten", r"betet", r"gebetet", r"gebet(?:e|s~)?", r"fastet",
        r"fastenmonat~", r"koscher~", r"freikirch~", r"gottesdienst~",
        r"jeside~", r"jesidi~", r"jehova~", r"zeuge~ jehova~",
    ],
    "ru": [
        r"мусульман~", r"исламск~", r"православн~", r"христиан~", r"католи~", r"протестант~",
        r"иуде~", r"иудаизм~",
        # еврей is origin as much as faith; it is filed once, here, with the other
        # Jewish words, so one note is not counted in two categories.
        r"еврей~", r"евре(?:и|ев|ям|ями)", r"атеист~", r"буддист~", r"буддизм~", r"индуист~",
        r"индуизм~", r"верующ~", r"религи~", r"молит~", r"молят~", r"намаз~", r"халял~",
        r"халал~", r"кошерн~", r"постит~", r"соблюда~ (?:пост|рамадан|шаббат|уразу)~",
        r"держ~ пост", r"ураз~", r"сект(?:а|ы|е|у|ой|ант~)", r"свидетел~ иеговы",
        r"вероисповедани~",
        r"езид~",
    ],
}

ETHNICITY_RACE = {
    "tr": [
        # Without its ü, "kurt" is a wolf or a German first name: only with the
        # words that make it an origin (the ü form is in MARKED).
        r"kurtce~", r"kurt (?:asil|koken|vatandas|aile|misafir|kimlig|kokl)~",
        r"cingene~", r"roman (?:vatandas|aile|misafir|asil|koken|mahalle)~",
        r"siyahi~", r"zenci~", r"melez~", r"ten ?rengi~", r"(?:koyu|beyaz|siyah|esmer) tenli~",
        r"etnik~", r"irk(?:i|ini|indan|lari)?", r"asill~", r"kokenli~", r"cerkez~",
        r"zaza", r"zazaca~", r"suryani~",
        r"roman (?:oldug|olan|kokenli|asilli)~",
    ],
    "en": [
        r"kurd(?:e|en|in|innen|s|ish|isch|ische[nrms]?)?",
        # "ethnic food" is a cuisine (EXCEPT below).
        # "their race" is the Antalya marathon.
        r"ethni~", r"of (?:a |another |mixed |different )?race",
        r"mixed-? ?race", r"racial~",
        r"(?:of|with) [\w-]+ (?:origins?|descent|heritage|roots|ancestry|extraction)",
        r"black (?:guest|man|woman|family|couple|person|people|gentleman|lady|girl|boy|kid|"
        r"child|guy)~",
        r"african-? ?american~", r"afro-?~", r"caucasian~",
        r"(?:asian|arab|african|latino|indian|middle eastern)-? ?looking",
        r"looks (?:asian|arab|african|black|latino|indian|gypsy|middle eastern)",
        # "the car is black" is not: only a person is.
        r"(?:guests?|he|she|they|husband|wife|family|couple|man|woman|lady|gentleman|"
        r"boyfriend|girlfriend|partner|mother|father|son|daughter) (?:is|are|was|were) black",
        r"(?:dark|light|brown)-? ?skinned", r"skin (?:colou?r|tone)~", r"hispanic~",
        r"gypsy~", r"gipsy~", r"gypsies", r"romani",
        # Alone, "Roma" is Rome (Turkish, Italian).
        r"roma (?:family|guest|people|origin|community|woman|man|couple)~",
        r"(?:is|are|were|was) (?:a )?roma",
    ],
    "de": [
        r"(?:\w+ische[rn]?|deutsche[rn]?|ethnische[rn]?) herkunft", r"migrationshintergrund~",
        r"\w+stammig~",
        # "Rasse" alone is the breed of the dog that travels along.
        r"(?:seine[rn]?|ihre[rn]?|deren|dessen) rasse", r"abstammung~", r"hautfarbe~",
        r"dunkelhautig~", r"hellhautig~",
        # "farbige Handtücher" are coloured towels.
        r"schwarze[rn]? (?:gast|mann|frau|familie|mensch)~",
        r"farbige[rnm]? (?:gast|mann|frau|familie|mensch)~",
        r"zigeuner~", r"sinti", r"roma-familie~", r"(?:sind|ist|waren|war) (?:eine? )?roma",
    ],
    "ru": [
        r"национальност~", r"этни~", r"цыган~",
        r"курд(?:ы|ов|ам|ами|ах|ский|ская|ское|ские|ского|ской|янка|ка)?", r"чернокож~",
        r"негр(?:ы|ов|а|у|ом|итян~)?",
        r"(?:азиатск|славянск|кавказск|восточн|арабск|цыганск|еврейск)~ внешност~",
        r"раса", r"расы", r"расе", r"расов~", r"по происхождени~", r"мулат~", r"метис~",
    ],
}

POLITICAL_OPINION = {
    "tr": [
        r"akp", r"ak parti~", r"chp", r"mhp", r"hdp", r"dem parti~", r"iyi parti~",
        r"hudapar~", r"bbp", r"(?:saadet|deva|zafer|gelecek|yeniden refah|memleket) parti~",
        r"parti (?:uye|taban|il baskan|ilce baskan|yonetici|militan)~",
        r"partisi(?:nin|nden)? (?:uye|il baskan|ilce baskan|yonetic|milletvekil|destekc)~",
        # "bize oy verdi" is a review vote: only a vote for a party or a politician.
        r"(?:akp|chp|mhp|hdp|dem|iyi|partiy|erdogan|imamoglu|kilicdaroglu)~ oy ver~",
        r"oy verdig~ parti~", r"secmen~", r"sempatizan~",
        r"(?:siyasi|politik) (?:gorus|egilim|dusunce|fikir|kimlik|tercih)~",
        r"siyasi olarak", r"solcu~", r"sagci~", r"ulkucu~", r"milliyetci~", r"komunist~",
        r"sosyalist~", r"kemalist~", r"fasist~", r"muhalif~", r"fetocu~",
        r"(?:iktidar|hukumet|muhalefet) (?:yanlisi|destekcisi|karsiti)~",
        r"(?:erdogan|imamoglu|kilicdaroglu|bahceli|aksener|yavas|demirtas) (?:destekc|taraftar|"
        r"hayran|karsit|sever|sempatizan|secmen|yanlisi)~",
        r"milletvekil~", r"meclis uyesi~", r"belediye meclis~",
    ],
    "en": [
        # "voted for us on TripAdvisor" is a review.
        r"(?:votes?|voted|voting) (?:for )?(?:the )?(?:labour|tory|tories|conservatives?|greens?|"
        r"republicans?|democrats?|afd|cdu|spd|akp|chp|mhp|trump|erdogan|putin|biden|harris|brexit)~",
        r"votes? for (?:the )?(?:[\w-]+ )?party",
        r"voters?",
        r"political (?:view|opinion|belief|affiliation|leaning|activist|party|stance)~",
        r"politically (?:active|left|right|conservative|liberal)", r"left-? ?wing~",
        r"right-? ?wing~", r"leftist~", r"rightist~", r"far-? ?(?:left|right)~",
        r"communist~", r"socialist~", r"fascist~", r"marxist~", r"anarchist~",
        r"(?:neo-? ?)?nazi~", r"tory", r"tories", r"party member~",
        r"member of the [\w-]+(?: [\w-]+)? party",
        r"(?:labour|tory|conservative|green|liberal|republican|democratic|akp|chp|mhp|hdp|afd|"
        r"cdu|spd|fdp|csu|opposition) (?:party|supporter|voter|member)~",
        r"(?:erdogan|putin|trump|biden|navalny|imamoglu|harris) (?:supporter|voter|fan|loyalist)~",
        r"maga", r"brexiteer~", r"remainer~",
        r"(?:political|party|opposition|kurdish|left-wing|right-wing) activist~",
        r"councill?or~", r"(?:city|town|local) council member~",
    ],
    "de": [
        # "beide Parteien" are the two sides of a complaint.
        r"partei(?:mitglied|buch|zugehorigkeit|ausweis|vorsitz|funktionar|anhanger|freund)~",
        r"(?:mitglied|aktiv|engagiert) (?:in )?(?:der|einer) (?:~ )?partei~",
        r"afd", r"cdu", r"csu", r"spd", r"fdp", r"bsw",
        # "wählt" alone is "chooses" (wählt das Zimmer mit Meerblick).
        r"wahlt (?:die |immer )?(?:afd|cdu|csu|spd|fdp|grun~|linke|bsw|freie wahler)",
        r"(?:wahler|mitglied|anhanger)~ (?:der|von der) (?:afd|cdu|csu|spd|fdp|grunen|linken|bsw)",
        r"links(?:radikal|extrem|autonom|gerichtet)~",
        r"rechts(?:radikal|extrem|populist|gerichtet)~", r"kommunist~", r"sozialist~",
        r"faschist~",
        r"politisch~ (?:einstellung|ansicht|meinung|gesinnung|haltung|uberzeugung)~",
        r"stadtrat~", r"gemeinderat~", r"sitzt fur die (?:grunen|spd|cdu|csu|afd|fdp|linke)~", r"landtagsabgeordnet~", r"bundestagsabgeordnet~",
    ],
    "ru": [
        r"член~ партии", r"единая россия", r"единоросс~", r"кпрф", r"лдпр",
        r"коммунист~", r"социалист~", r"фашист~", r"нацист~",
        r"голосу~ за", r"голосовал~ за",
        r"политическ~ (?:взгляд|убеждени|позици|предпочтени)~",
        r"(?:левых|правых|либеральных|коммунистических|оппозиционных|патриотических) взглядов",
        r"оппозиционер~", r"либерал~",
        r"сторонник~ (?:путина|навального|партии|оппозиции|власти)~",
        r"путинист~", r"навальнист~", r"монархист~",
        r"депутат~",
    ],
}

UNION_ASSOCIATION = {
    "tr": [
        # The person's membership; "TÜRSAB üyesi acente" and loyalty clubs are not here.
        r"sendika~",
        # "vakfın yönetim kurulu üyesi": a few words may sit in between.
        r"(?:derne[gk]|vak(?:if|f))~ (?:~ ){0,3}(?:uye|baskan|yonetic|gonullu|mutevelli)~",
        r"(?:rotary|lions|rotaract|kiwanis) (?:kulub|club|uye)~", r"rotaryen~",
        r"masonik~", r"mason loca~", r"farmason~", r"hur ?mason~",
    ],
    "en": [
        r"trade union~", r"labou?r union~",
        r"union (?:member|membership|rep|representative|official|activist|leader|card)~",
        r"unioni[sz]ed",
        r"members? of (?:a |the |an )?(?:[\w'-]+ ){0,3}(?:union|association|foundation|society|"
        r"lodge|brotherhood|fraternity|sorority)",
        r"(?:association|foundation|society|lodge) member~",
        r"belongs to (?:a |the )?(?:[\w-]+ )?(?:union|association|foundation)",
        r"freemason~", r"masonic~", r"rotarian~", r"rotary club~", r"lions club~",
    ],
    "de": [
        r"~gewerkschaft~", r"ig metall", r"vereinsmitglied~",
        r"mitglied (?:im|in einem|in einer|eines|des|der|bei der|beim) "
        r"~(?:verein|stiftung|vereinigung|verband|gewerkschaft|loge)~",
        r"freimaurer~",
    ],
    "ru": [
        r"профсоюз~",
        r"член~ (?:[\w-]+ )?(?:ассоциаци|обществ|фонд|союз|лож)~",
        r"масон~",
    ],
}

SEXUAL_LIFE = {
    "tr": [
        r"escinsel~", r"gay", r"gey", r"gayler~", r"geyler~", r"lezbiyen~", r"biseksuel~",
        r"homoseksuel~", r"heteroseksuel~", r"lgbt~",
        r"trans (?:birey|kadin|erkek|misafir)~", r"transseksuel~", r"cinsel~",
        r"ayni cinsiyet~",
    ],
    "en": [
        # "honeymoon couple" is a package; "same-sex couple" tells orientation.
        r"gays?", r"lesbian~", r"bisexual~", r"homosexual~", r"heterosexual~", r"queer~",
        r"lgbt~", r"same-? ?sex~", r"transgender~", r"transsexual~",
        r"trans (?:woman|man|guest|person|women|men)",
        r"sexual (?:orientation|life|preference|partner|relations?|health)~", r"sexuality",
        r"sexually", r"non-? ?binary", r"(?:having|had|has) an affair", r"extramarital~",
        r"mistress", r"swingers?~", r"polyamor~", r"open relationship~",
    ],
    "de": [
        r"lesbisch~", r"lesbe", r"lesben~", r"bisexuell~", r"homosexuell~",
        r"heterosexuell~", r"gleichgeschlechtlich~", r"sexuell~", r"sexualitat~",
        r"transsexuell~", r"swinger~", r"polyamor~", r"offene beziehung~",
    ],
    "ru": [
        r"гей", r"геи", r"гея", r"геев", r"геем", r"гейск~", r"лесби~", r"бисексуал~",
        r"гомосексуал~", r"гетеросексуал~", r"однопол~", r"лгбт~",
        r"сексуальн~ (?:ориентаци|жизн)~", r"интимн~ жизн~", r"трансгендер~",
        r"транссексуал~", r"нетрадиционн~ ориентаци~", r"свингер~",
    ],
}

CRIMINAL_RECORD = {
    "tr": [
        r"sabika~", r"hukumlu~", r"cezaevi~", r"hapis~", r"hapse~",
        r"mahkum (?:oldu|edildi|edilmis)~", r"mahkumiyet~", r"suc kayd~", r"adli sicil~",
        # "kapı tutukluk yapıyor": the door sticks.
        r"sicili (?:temiz degil|kirli|bozuk)~", r"tutuklan~", r"tutuklu(?!k)~",
        r"gozalti(?:na|nda|ndan)~", r"denetimli serbest~", r"elektronik kelepce~",
        r"yurt ?disi (?:cikis )?yasag~", r"infaz~", r"hukum giy~",
    ],
    "en": [
        r"criminal (?:record|conviction|history|past|charges?|case)~", r"convict~",
        r"prison~", r"jail~", r"imprison~", r"incarcerat~",
        r"(?:served|did|doing|serving) time", r"ex-? ?con", r"ex-? ?convict~", r"felon~",
        r"felony~", r"parole~", r"on probation", r"arrested", r"arrest record~",
        r"under arrest", r"sex offender~", r"ankle (?:monitor|tag|bracelet)~",
        r"police record~", r"sentenced~",
    ],
    "de": [
        r"vorbestraft~", r"vorstrafe~", r"strafregister~", r"gefangnis~", r"haft",
        r"haftstrafe~", r"inhaftiert~", r"untersuchungshaft~", r"u-haft", r"in haft",
        # "verurteilt das Verhalten" is condemning, not a sentence.
        r"verurteilt (?:wegen|zu)~", r"(?:wurde|ist|war|rechtskraftig) (?:~ )?verurteilt~",
        r"knast~", r"bewahrungs(?:strafe|helfer)~", r"auf bewahrung",
        r"festgenommen~", r"verhaftet~", r"straffallig~", r"strafakte~", r"justizvollzug~",
    ],
    "ru": [
        r"судим~", r"тюрьм~", r"тюрем~", r"отсидел~", r"сидел~ (?:срок|в колони)~",
        r"осужден~", r"уголовн~", r"арестова~", r"задержан~ полици~", r"под следствием",
        r"условн~ срок~", r"(?:в|из) заключени(?:и|я)",
    ],
}

BIOMETRIC_GENETIC = {
    "tr": [
        r"parmak iz~", r"dna~", r"genetik~", r"gen (?:testi|analizi)~",
        r"(?:retina|iris) (?:tara|okut)~", r"yuz tanima~", r"biyometrik~",
        r"yuz (?:taramasi|verisi|izi)~", r"ses izi~",
    ],
    "en": [
        r"fingerprint~", r"finger print~", r"genetic~", r"genome~", r"gene test~",
        r"23andme", r"retina~ scan~", r"retinal~", r"iris scan~",
        r"fac(?:e|ial) (?:recognition|scan)~", r"biometric~", r"palm (?:print|vein)~",
        r"voice ?print~",
    ],
    "de": [
        r"fingerabdruck~", r"genetisch~", r"gentest~", r"erbgut~", r"biometrisch~",
        r"gesichtserkennung~", r"iris-?scan~", r"netzhaut~",
    ],
    "ru": [
        r"отпечат~ пальц~", r"дактилоскоп~", r"днк", r"генетическ~", r"генетик~",
        r"биометри~", r"распознавани~ лиц~", r"сканировани~ (?:сетчатк|радужк|лиц)~",
    ],
}

APPEARANCE_DRESS = {
    "tr": [
        # KVKK says "kılık ve kıyafet": religious and cultural dress, and remarks on
        # the guest's body. "Çarşaf" alone is a bed sheet, "kapalı" a closed pool.
        r"basortu~", r"turban~", r"tesettur~", r"carsafli~", r"carsaf giy~", r"burka~",
        r"burkali~", r"nikap~", r"nikab~", r"niqab~", r"pece", r"peceli~", r"pecesi~",
        r"kapali (?:bir )?(?:bayan|kadin|hanim|misafir|aile|giyin)~", r"kapali giyin~",
        # "Hanımefendi kapalı." but not "Hanımefendi kapalı havuzu sordu".
        r"(?:hanim|bayan|kadin|hanimefendi|esi|kizi|annesi)~ kapali(?:dir|ymis|ydi)?"
        r"(?=[.,;!)]|$| ve )",
        # "23 kilolu valiz" and "aşırı kilo" on the luggage are the airline's.
        r"hasema~", r"hasemali~", r"burkini~", r"ferace~", r"sisman~",
        r"(?:cok|fazla|asiri) kilolu~",
        r"kilolu (?:bir )?(?:bey|hanim|misafir|kadin|erkek|cocuk|adam|beyefendi|hanimefendi)~",
        r"kipa~",
    ],
    "en": [
        r"head ?scarf~", r"head-scarf~", r"hijab~", r"burqa~", r"chador~", r"burqini~",
        r"kippah", r"yarmulke~",
        r"covered (?:woman|lady|wife|women|ladies|guest|mother|daughter)~",
        r"wears? (?:a |the )?veil", r"veiled (?:woman|lady|guest|women)~",
        r"modest (?:swimwear|clothing|dress|fashion)~",
        # "overweight luggage" is the airline's business.
        r"overweight (?:guest|man|woman|person|child|kid|lady|guy|boy|girl)~",
        r"(?:is|are|very|quite|severely) overweight",
        r"fat (?:man|woman|guest|lady|guy|person|kid|boy|girl)~",
        r"(?:very|quite|really|extremely) fat",
    ],
    "de": [
        r"kopftuch~", r"hidschab~", r"tschador~", r"verschleiert~", r"ubergewichtig~",
        r"dick(?:e|er|en)? (?:mann|frau|gast|dame|kind)~", r"(?:sehr|ziemlich|extrem) dick",
        r"kippa~", r"turban~", r"burkini~",
    ],
    "ru": [
        r"хиджаб~", r"паранд~", r"никаб~", r"буркини~", r"в (?:платке|хиджабе|парандже|никабе)",
        r"(?:толст|полн)(?:ый|ая|ого|ой|ую) (?:мужчина|женщина|гость|гостья|человек|дама|"
        r"ребенок|мальчик|девочка)~",
        r"(?:очень|слишком|сильно|довольно) (?:толст|полн)(?:ый|ая|ые)", r"лишн~ вес~",
        r"нос\w* кип[уае]", r"в кипе",
    ],
}

TERMS: dict[str, dict[str, list[str]]] = {
    "health": HEALTH,
    "religion_belief": RELIGION_BELIEF,
    "ethnicity_race": ETHNICITY_RACE,
    "political_opinion": POLITICAL_OPINION,
    "union_association": UNION_ASSOCIATION,
    "sexual_life": SEXUAL_LIFE,
    "criminal_record": CRIMINAL_RECORD,
    "biometric_genetic": BIOMETRIC_GENETIC,
    "appearance_dress": APPEARANCE_DRESS,
}

# Matched on text that keeps its diacritics (only the case folded), for the
# few words whose meaning hangs on one: "Kürt" is not the name "Kurt", "schwul"
# (gay) is not "schwül" (humid), and "kürtaj" (abortion) is health.
MARKED: dict[str, list[str]] = {
    "ethnicity_race": [r"kürt(?!aj)~"],
    "sexual_life": [r"schwul~", r"schwuchtel~"],
}

# A term found inside one of these is ordinary language, not a finding.
EXCEPT: dict[str, list[str]] = {
    "health": [
        # Pillow-menu items anyone may ask for; an allergy stated outright is still found.
        r"anti-? ?all?er[gj]~", r"hypo-? ?all?erg~", r"гипоаллерг~", r"противоаллерг~",
        # The checklist answered "none" says nothing about the guest's health.
        r"(?:no|without|nil) (?:known |food )?all?erg~", r"all?erj~ (?:yok|bulunmuyor)~",
        r"keine (?:bekannten )?~allergi~", r"нет (?:\w+ )?аллерги~", r"аллерги~ нет",
        r"(?:spa|masaj|cilt|guzellik|sac|yuz|vucut) (?:tedavi|bakim)~",
        r"(?:spa|beauty|facial|body|hair) treatment~",
        r"ilac gibi",  # "ilaç gibi geldi": did them good
        r"\w+(?:mek|mak)(?:ten|tan) hasta (?:ol|et)~",  # "beklemekten hasta oldu": fed up
        r"hasta oldum (?:bu|su|artik) \w+(?:e|a|ye|ya)",  # "hasta oldum bu gürültüye": fed up
        r"(?:trafik|sehir|yol|sistem|hayat|internet)~ felc~",  # traffic paralysed
        r"yemek recete~",
        # "болеет за Спартак": a fan.
        r"боле(?:ет|ют|л|ла|ли|ть) за",
        r"(?:kotu |berbat )?(?:servis|hizmet)\w* alerj~", r"allergic to (?:bad |poor |slow |the )?(?:service|waiting|queues|mornings|noise|work|mondays)", r"allergisch gegen (?:schlechten |langsamen )?(?:service|warten)", r"allergy-? ?free pillow~", r"anti-? ?all?erg\w* (?:pillow|yastik|kissen|подушк)~", r"engelli (?:rampa|asansor|tuvalet|wc|park yer|otopark)~",
    ],
    "religion_belief": [
        # Holidays are dates the hotel plans around, not a statement of faith.
        r"dini bayram~", r"religio~ (?:holiday|festival|feast)~", r"religiose[nr]? feiertag~",
        r"религиозн~ праздник~", r"inanc turizm~", r"faith tourism",
        r"(?:christian|orthodox) (?:church|easter|christmas)~", r"orthodox easter",
        # The mosque next door is a noise complaint, not the guest's faith.
        r"call to prayer~", r"prayer call~",
        # Whether the hotel has a prayer room is a question about the hotel (an
        # agency's brochure); the guest who asks for one for themselves is not.
        r"(?:otelde|otelin|tesiste|tesisin) (?:bir )?mescid?~ (?:var|bulun)~",
        r"(?:hotel|resort|property) (?:has|have|offers?) (?:a )?prayer rooms?",
        r"(?:is there|are there) (?:a |any )?prayer rooms? (?:in|at) the (?:hotel|resort)",
        r"gibt es (?:im hotel )?(?:einen )?gebetsraum~(?: im hotel)?",
        r"(?:hotel|resort) (?:hat|bietet) (?:einen )?gebetsraum~",
        r"в отеле (?:есть )?(?:молельн|комнат~ для молитв)~",
    ],
    "ethnicity_race": [
        r"cerkez tavu~",  # Circassian chicken, a starter
        r"ethni~ (?:food|cuisine|restaurant|music|night|dinner|dish|decor|design|pattern|style|"
        r"jewell?ery)~",
        r"etnik (?:yemek|mutfak|muzik|gece|desen|tasarim|dekor)~",
        # The building's past, not the guest's.
        r"(?:of|with) (?:its|the|local|natural|organic|unknown|cultural|historic|historical|"
        r"unesco|world|ottoman|roman|byzantine|lycian|ancient|greek) (?:origins?|roots|heritage)",
        r"zigeuner(?:schnitzel|sauce|sosse)~",
        r"этническ~ (?:кухн|музык)~",
    ],
    "biometric_genetic": [
        # The document type, not a measurement of the guest.
        r"biometric passport~", r"biyometrik pasaport~", r"biometrische[rn]? (?:reise)?pass~",
        r"biometrisches passfoto~", r"биометрическ~ паспорт~",
        # Smudges on the glass are a housekeeping matter.
        r"fingerprints? (?:on|all over)", r"(?:camda|aynada|kapida|masada|camlarda) parmak iz~",
        r"parmak iz~ (?:var|kalmis|dolu)~",
        r"fingerprint (?:smudge|mark)~", r"fingerprints? (?:marks|smudges)", r"fingerabdruck\w* (?:auf|am|an)", r"отпечатк~ пальцев на",
    ],
    "political_opinion": [
        # A wedding party is a group of guests.
        r"members? of the (?:wedding|bridal|hen|stag|birthday|dinner|tour|travel|search|golf|"
        r"diving|boat|pool|foam|beach|kids|christmas|private|booking|guest|other|same) party",
    ],
    "union_association": [
        # Moscow's Profsoyuznaya street and its metro station are an address.
        r"(?:ул|улица|пр|проспект|пер|переулок|метро|м)\.? профсоюзн~", r"профсоюзн~ (?:ул|улиц)~",
        r"(?:members? of )?(?:the )?(?:european|credit|postal|african|student) union",
        # Trade bodies of our industry: the agency's membership, not the guest's.
        r"(?:tour operators?'?|travel agen(?:ts|cies|cy)'?|hoteliers?'?|hotels?'?|tourism|"
        r"tursab|abta|dehoga|turoffed|touristik|reiseburo|reiseveranstalter)~ "
        r"(?:association|verband|vereinigung|birligi|dernegi|federation)~",
    ],
}
# fmt: on
