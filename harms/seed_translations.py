"""The taxonomy and the demo support services in Singapore's four official languages.

Written by harms/migrations/0004_content_languages_seed.py (the taxonomy, and the demo
services where they exist) and by harms/demo.py (the demo services, for seed_demo). The English
is the text harms/migrations/0002_seed_taxonomy.py and harms/demo.py wrote; a translation is
only written beside English that is still exactly this, so a wording changed in the admin is
never given a translation of the old one (it falls back to English until someone translates it).

Terms follow locale/GLOSSARY.md. The names of support services stay as they are in every
language; their descriptions and opening hours are translated. Keys are the column suffixes
modeltranslation uses (zh-hans is zh_hans).
"""

LANGUAGES = ("en", "zh_hans", "ms", "ta")
TRANSLATED_LANGUAGES = ("zh_hans", "ms", "ta")

HARM_CATEGORY_FIELDS = ("name", "summary", "description", "content_warning")
SOLUTION_AREA_FIELDS = ("name", "description")
SUPPORT_RESOURCE_FIELDS = ("description", "hours")

# slug -> field -> language -> text
HARM_CATEGORIES: dict[str, dict[str, dict[str, str]]] = {
    "non-consensual-publication": {
        "name": {
            "en": "Non-consensual publication of images and personal details",
            "zh_hans": "未经同意公开图像和个人信息",
            "ms": "Penyiaran imej dan butiran peribadi tanpa persetujuan",
            "ta": "ஒப்புதல் இன்றிப் படங்களையும் தனிப்பட்ட விவரங்களையும் வெளியிடுதல்",
        },
        "summary": {
            "en": "Images or personal details shared one-to-many online without consent, causing "
            "distress and inviting harassment.",
            "zh_hans": "未经同意在网上向许多人散布图像或个人信息，令当事人痛苦，并招来骚扰。",
            "ms": "Imej atau butiran peribadi yang dikongsi kepada ramai orang dalam talian tanpa "
            "persetujuan, menyebabkan tekanan dan mengundang gangguan.",
            "ta": "ஒப்புதல் இன்றி இணையத்தில் பலருக்குப் பகிரப்படும் படங்கள் அல்லது தனிப்பட்ட "
            "விவரங்கள்; இவை மன வேதனை தருகின்றன, துன்புறுத்தலுக்கும் வழிவகுக்கின்றன.",
        },
        "description": {
            "en": "Intimate or private images, home addresses, phone numbers, school or "
            "workplace details posted or passed around online without the person's agreement. "
            "Once published to many people, such material can be copied endlessly, and it often "
            "invites strangers to harass the person shown.",
            "zh_hans": "未经当事人同意，在网上发布或传播其私密或私人图像、住址、电话号码、学校或"
            "工作单位等信息。这类内容一旦向许多人公开，就可能被无休止地复制，还常常招来陌生人骚扰"
            "当事人。",
            "ms": "Imej intim atau peribadi, alamat rumah, nombor telefon, butiran sekolah atau "
            "tempat kerja yang disiarkan atau disebarkan dalam talian tanpa persetujuan orang "
            "itu. Setelah disiarkan kepada ramai orang, bahan sebegini boleh disalin berulang "
            "kali tanpa henti, dan sering mengundang orang yang tidak dikenali untuk mengganggu "
            "orang yang ditunjukkan.",
            "ta": "ஒருவரின் அந்தரங்க அல்லது தனிப்பட்ட படங்கள், வீட்டு முகவரி, தொலைபேசி எண், "
            "பள்ளி அல்லது பணியிட விவரங்கள் அவரது ஒப்புதல் இன்றி இணையத்தில் வெளியிடப்படுவது "
            "அல்லது பரப்பப்படுவது. பலருக்கு வெளியானதும் இவற்றை முடிவில்லாமல் நகலெடுக்க முடியும்; "
            "படத்தில் உள்ளவரை அறிமுகமில்லாதவர்கள் துன்புறுத்தவும் இவை பெரும்பாலும் "
            "வழிவகுக்கின்றன.",
        },
        "content_warning": {
            "en": "mentions image-based sexual abuse and the exposure of personal details.",
            "zh_hans": "涉及基于图像的性虐待和个人信息被曝光。",
            "ms": "menyebut penderaan seksual berasaskan imej dan pendedahan butiran peribadi.",
            "ta": "படங்கள் மூலமான பாலியல் துன்புறுத்தல், தனிப்பட்ட விவரங்கள் அம்பலமாவது பற்றிக் குறிப்பிடுகிறது.",
        },
    },
    "image-based-sexual-abuse": {
        "name": {
            "en": "Image-based sexual abuse",
            "zh_hans": "基于图像的性虐待",
            "ms": "Penderaan seksual berasaskan imej",
            "ta": "படங்கள் மூலமான பாலியல் துன்புறுத்தல்",
        },
        "summary": {
            "en": "Intimate images taken, shared or threatened to be shared without consent, "
            "including digitally altered ones.",
            "zh_hans": "未经同意拍摄、分享或威胁分享私密图像，包括经过数码篡改的图像。",
            "ms": "Imej intim yang diambil, dikongsi atau diugut untuk dikongsi tanpa "
            "persetujuan, termasuk imej yang diubah secara digital.",
            "ta": "ஒப்புதல் இன்றி எடுக்கப்படும், பகிரப்படும் அல்லது பகிர்வதாக மிரட்டப்படும் "
            "அந்தரங்கப் படங்கள்; டிஜிட்டல் முறையில் மாற்றப்பட்ட படங்களும் இதில் அடங்கும்.",
        },
        "description": {
            "en": "Sharing, or threatening to share, intimate images or videos of someone "
            "without their consent. This includes images that were taken in secret, shared in "
            "confidence, or created or altered with editing tools.",
            "zh_hans": "未经他人同意，分享或威胁分享其私密图像或视频，包括偷拍的图像、"
            "出于信任而分享的图像，以及用编辑工具制作或篡改的图像。",
            "ms": "Berkongsi, atau mengugut untuk berkongsi, imej atau video intim seseorang "
            "tanpa persetujuannya. Ini termasuk imej yang diambil secara senyap-senyap, yang "
            "dikongsi atas dasar percaya, atau yang dicipta atau diubah dengan alat suntingan.",
            "ta": "ஒருவரின் அந்தரங்கப் படங்களையோ காணொளிகளையோ அவரது ஒப்புதல் இன்றிப் பகிர்வது "
            "அல்லது பகிர்வதாக மிரட்டுவது. ரகசியமாக எடுக்கப்பட்ட, நம்பிக்கையின் பேரில் "
            "பகிரப்பட்ட, அல்லது திருத்தும் கருவிகளால் உருவாக்கப்பட்ட அல்லது மாற்றப்பட்ட "
            "படங்களும் இதில் அடங்கும்.",
        },
        "content_warning": {
            "en": "describes sexual abuse using images.",
            "zh_hans": "描述利用图像进行的性虐待。",
            "ms": "menggambarkan penderaan seksual menggunakan imej.",
            "ta": "படங்களைப் பயன்படுத்திச் செய்யப்படும் பாலியல் துன்புறுத்தலை விவரிக்கிறது.",
        },
    },
    "doxxing": {
        "name": {
            "en": "Doxxing",
            "zh_hans": "起底（人肉搜索）",
            "ms": "Doxxing (pendedahan butiran peribadi)",
            "ta": "டாக்ஸிங் (தனிப்பட்ட விவரங்களை அம்பலப்படுத்துதல்)",
        },
        "summary": {
            "en": "Publishing someone's personal details so that others can find, harass or "
            "harm them.",
            "zh_hans": "公开他人的个人信息，让别人能够找到、骚扰或伤害对方。",
            "ms": "Menyiarkan butiran peribadi seseorang supaya orang lain boleh mencari, "
            "mengganggu atau mencederakannya.",
            "ta": "மற்றவர்கள் ஒருவரைக் கண்டுபிடிக்கவோ, துன்புறுத்தவோ, தீங்கிழைக்கவோ அவரது "
            "தனிப்பட்ட விவரங்களை வெளியிடுதல்.",
        },
        "description": {
            "en": "Collecting and publishing someone's name, address, phone number, workplace "
            "or family details so that others can locate, intimidate or harass them.",
            "zh_hans": "收集并公开他人的姓名、住址、电话号码、工作单位或家人资料，让别人能够找到、"
            "恐吓或骚扰对方。",
            "ms": "Mengumpul dan menyiarkan nama, alamat, nombor telefon, tempat kerja atau "
            "butiran keluarga seseorang supaya orang lain boleh mengesan, menakut-nakutkan atau "
            "mengganggunya.",
            "ta": "மற்றவர்கள் ஒருவரைக் கண்டறியவோ, அச்சுறுத்தவோ, துன்புறுத்தவோ அவரது பெயர், "
            "முகவரி, தொலைபேசி எண், பணியிடம் அல்லது குடும்ப விவரங்களைச் சேகரித்து "
            "வெளியிடுதல்.",
        },
        "content_warning": {
            "en": "describes the exposure of personal information and harassment.",
            "zh_hans": "描述个人信息被曝光和骚扰。",
            "ms": "menggambarkan pendedahan maklumat peribadi dan gangguan.",
            "ta": "தனிப்பட்ட தகவல்கள் அம்பலப்படுத்தப்படுவதையும் துன்புறுத்தலையும் விவரிக்கிறது.",
        },
    },
    "unwelcome-interactions": {
        "name": {
            "en": "Unwelcome one-to-one interactions",
            "zh_hans": "不受欢迎的一对一互动",
            "ms": "Interaksi empat mata yang tidak diingini",
            "ta": "ஒருவரை நேரடியாகக் குறிவைக்கும் விரும்பத்தகாத தொடர்புகள்",
        },
        "summary": {
            "en": "Unwanted contact online, from sexual harassment to the grooming of children, "
            "made easier by social media.",
            "zh_hans": "网上的不当接触，从性骚扰到诱骗儿童，社交媒体让这些行为更容易发生。",
            "ms": "Hubungan yang tidak diingini dalam talian, daripada gangguan seksual hingga "
            "dandanan kanak-kanak, yang dipermudah oleh media sosial.",
            "ta": "பாலியல் துன்புறுத்தல் முதல் சிறாரைப் பாலியல் நோக்கில் வசப்படுத்துதல் வரை, "
            "சமூக ஊடகங்களால் எளிதாகிவிட்ட விரும்பத்தகாத இணையத் தொடர்புகள்.",
        },
        "description": {
            "en": "Messages, comments and requests aimed at one person that she does not want: "
            "sexual remarks, unsolicited explicit images, persistent contact, threats, and "
            "adults building a relationship with a child in order to abuse her.",
            "zh_hans": "发给某一个人、而她并不想要的信息、留言和请求：带性意味的言语、未经要求发来"
            "的露骨图像、纠缠不休的联系、威胁，以及成年人为了虐待儿童而与她建立关系。",
            "ms": "Mesej, komen dan permintaan yang ditujukan kepada seseorang yang tidak "
            "dimahukannya: kata-kata berunsur seksual, imej lucah yang tidak diminta, hubungan "
            "yang berterusan, ugutan, dan orang dewasa yang menjalin hubungan dengan kanak-kanak "
            "untuk menderanya.",
            "ta": "ஒருவரைக் குறிவைத்து, அவர் விரும்பாத செய்திகள், கருத்துகள், கோரிக்கைகள்: "
            "பாலியல் ரீதியான பேச்சு, கேட்காமல் அனுப்பப்படும் ஆபாசப் படங்கள், விடாத தொடர்பு, "
            "மிரட்டல்கள், ஒரு சிறுமியைத் துன்புறுத்தும் நோக்கில் பெரியவர்கள் அவளுடன் உறவை "
            "வளர்த்துக்கொள்வது.",
        },
        "content_warning": {
            "en": "mentions sexual harassment, stalking and the grooming of children.",
            "zh_hans": "涉及性骚扰、跟踪和诱骗儿童。",
            "ms": "menyebut gangguan seksual, penghendapan dan dandanan kanak-kanak.",
            "ta": "பாலியல் துன்புறுத்தல், பின்தொடர்தல், சிறாரைப் பாலியல் நோக்கில் வசப்படுத்துதல் "
            "பற்றிக் குறிப்பிடுகிறது.",
        },
    },
    "sexual-harassment": {
        "name": {
            "en": "Sexual harassment",
            "zh_hans": "性骚扰",
            "ms": "Gangguan seksual",
            "ta": "பாலியல் துன்புறுத்தல்",
        },
        "summary": {
            "en": "Unwanted sexual comments, requests or images sent online.",
            "zh_hans": "在网上发来的不受欢迎的带性意味的言语、请求或图像。",
            "ms": "Komen, permintaan atau imej berunsur seksual yang tidak diingini yang "
            "dihantar dalam talian.",
            "ta": "இணையத்தில் அனுப்பப்படும் விரும்பத்தகாத பாலியல் கருத்துகள், கோரிக்கைகள் அல்லது படங்கள்.",
        },
        "description": {
            "en": "Sexual remarks, propositions, unsolicited explicit images or sexualised "
            "threats sent through messages, comments or social media.",
            "zh_hans": "通过信息、留言或社交媒体发来的带性意味的言语、性要求、未经要求的露骨图像或"
            "带性意味的威胁。",
            "ms": "Kata-kata berunsur seksual, ajakan, imej lucah yang tidak diminta atau ugutan "
            "berunsur seksual yang dihantar melalui mesej, komen atau media sosial.",
            "ta": "செய்திகள், கருத்துகள் அல்லது சமூக ஊடகங்கள் வழியாக அனுப்பப்படும் பாலியல் "
            "ரீதியான பேச்சு, அழைப்புகள், கேட்காமல் அனுப்பப்படும் ஆபாசப் படங்கள் அல்லது பாலியல் "
            "மிரட்டல்கள்.",
        },
        "content_warning": {
            "en": "describes sexual harassment.",
            "zh_hans": "描述性骚扰。",
            "ms": "menggambarkan gangguan seksual.",
            "ta": "பாலியல் துன்புறுத்தலை விவரிக்கிறது.",
        },
    },
    "online-grooming": {
        "name": {
            "en": "Online grooming",
            "zh_hans": "网络诱骗",
            "ms": "Dandanan dalam talian (grooming)",
            "ta": "இணையத்தில் சிறாரைப் பாலியல் நோக்கில் வசப்படுத்துதல்",
        },
        "summary": {
            "en": "Adults building trust with children or young people online in order to "
            "abuse them.",
            "zh_hans": "成年人在网上博取儿童或青少年的信任，以便虐待他们。",
            "ms": "Orang dewasa yang memenangi kepercayaan kanak-kanak atau remaja dalam talian "
            "untuk mendera mereka.",
            "ta": "சிறுவர்களையோ இளையோரையோ துன்புறுத்தும் நோக்கில், பெரியவர்கள் இணையத்தில் "
            "அவர்களின் நம்பிக்கையைப் பெறுவது.",
        },
        "description": {
            "en": "An adult befriends a child or young person online, often pretending to be "
            "younger, to gain her trust, isolate her and draw her into sexual contact or the "
            "sharing of images.",
            "zh_hans": "成年人在网上与儿童或青少年交朋友，常常假装年纪更小，以博取她的信任、"
            "让她与身边的人疏远，并引诱她进行性接触或分享图像。",
            "ms": "Seorang dewasa berkawan dengan kanak-kanak atau remaja dalam talian, sering "
            "berpura-pura lebih muda, untuk memenangi kepercayaannya, mengasingkannya dan "
            "menariknya ke dalam hubungan seksual atau perkongsian imej.",
            "ta": "ஒரு பெரியவர் இணையத்தில் ஒரு சிறுமியிடமோ இளம்பெண்ணிடமோ, பெரும்பாலும் தன்னை "
            "இளையவராகக் காட்டிக்கொண்டு, நட்புக் கொள்கிறார்; அவளது நம்பிக்கையைப் பெற்று, "
            "மற்றவர்களிடமிருந்து அவளைத் தனிமைப்படுத்தி, பாலியல் தொடர்புக்கோ படங்களைப் "
            "பகிர்வதற்கோ இழுக்கிறார்.",
        },
        "content_warning": {
            "en": "describes the sexual exploitation of children.",
            "zh_hans": "描述对儿童的性剥削。",
            "ms": "menggambarkan eksploitasi seksual kanak-kanak.",
            "ta": "சிறுவர்கள் மீதான பாலியல் சுரண்டலை விவரிக்கிறது.",
        },
    },
    "cyberstalking": {
        "name": {
            "en": "Cyberstalking",
            "zh_hans": "网络跟踪",
            "ms": "Penghendapan siber",
            "ta": "இணையவழிப் பின்தொடர்தல்",
        },
        "summary": {
            "en": "Repeated monitoring, following or contacting of someone online that makes "
            "her afraid.",
            "zh_hans": "在网上一再监视、跟踪或联系某人，令她感到害怕。",
            "ms": "Memantau, mengekori atau menghubungi seseorang dalam talian berulang kali "
            "sehingga dia berasa takut.",
            "ta": "ஒருவரை அச்சப்படுத்தும் வகையில் இணையத்தில் மீண்டும் மீண்டும் கண்காணிப்பது, "
            "பின்தொடர்வது அல்லது தொடர்புகொள்வது.",
        },
        "description": {
            "en": "Tracking someone's accounts, location or activity, contacting her again and "
            "again, or creating accounts to keep reaching her after being blocked.",
            "zh_hans": "追踪某人的账户、位置或动态，一再联系她，或在被封锁后开设新账户继续接触她。",
            "ms": "Menjejaki akaun, lokasi atau aktiviti seseorang, menghubunginya berulang "
            "kali, atau membuka akaun baharu untuk terus menghubunginya selepas disekat.",
            "ta": "ஒருவரின் கணக்குகள், இருப்பிடம் அல்லது செயல்பாடுகளைக் கண்காணிப்பது, அவரை "
            "மீண்டும் மீண்டும் தொடர்புகொள்வது, அல்லது தடுக்கப்பட்ட பிறகும் அவரைத் தொடர்ந்து "
            "அணுகப் புதிய கணக்குகளை உருவாக்குவது.",
        },
        "content_warning": {
            "en": "describes stalking and intimidation.",
            "zh_hans": "描述跟踪和恐吓。",
            "ms": "menggambarkan penghendapan dan ugutan.",
            "ta": "பின்தொடர்தலையும் அச்சுறுத்தலையும் விவரிக்கிறது.",
        },
    },
    "harmful-platforms": {
        "name": {
            "en": "Platforms and sites that encourage vice and harm",
            "zh_hans": "助长不良风气和伤害的平台与网站",
            "ms": "Platform dan laman yang menggalakkan maksiat dan bahaya",
            "ta": "ஒழுக்கக்கேட்டையும் தீங்கையும் ஊக்குவிக்கும் தளங்களும் இணையதளங்களும்",
        },
        "summary": {
            "en": "Online platforms, websites and groups that promote vice and harm to women, "
            "especially young girls.",
            "zh_hans": "宣扬不良风气、伤害女性（尤其是年轻女孩）的网络平台、网站和群组。",
            "ms": "Platform dalam talian, laman web dan kumpulan yang mempromosikan maksiat dan "
            "bahaya terhadap wanita, terutamanya kanak-kanak perempuan.",
            "ta": "பெண்களுக்கு, குறிப்பாகச் சிறுமிகளுக்கு, ஒழுக்கக்கேட்டையும் தீங்கையும் "
            "ஊக்குவிக்கும் இணையத் தளங்கள், இணையதளங்கள், குழுக்கள்.",
        },
        "description": {
            "en": "Forums, channels and websites built around sharing abusive material, rating "
            "or trading images of women and girls, or drawing young people into vice.",
            "zh_hans": "以分享虐待内容、评比或交易女性和女孩的图像，或引诱年轻人沾染不良风气为主的"
            "论坛、频道和网站。",
            "ms": "Forum, saluran dan laman web yang dibina untuk berkongsi bahan penderaan, "
            "menilai atau memperdagangkan imej wanita dan kanak-kanak perempuan, atau menarik "
            "golongan muda ke arah maksiat.",
            "ta": "துன்புறுத்தல் உள்ளடக்கத்தைப் பகிர்வது, பெண்கள் மற்றும் சிறுமிகளின் படங்களை "
            "மதிப்பிடுவது அல்லது பரிமாறிக்கொள்வது, இளையோரை ஒழுக்கக்கேட்டுக்குள் இழுப்பது "
            "ஆகியவற்றுக்காகவே அமைந்த கருத்துக்களங்கள், அலைவரிசைகள், இணையதளங்கள்.",
        },
        "content_warning": {
            "en": "mentions sites that exploit women and girls.",
            "zh_hans": "涉及剥削女性和女孩的网站。",
            "ms": "menyebut laman yang mengeksploitasi wanita dan kanak-kanak perempuan.",
            "ta": "பெண்கள் மற்றும் சிறுமிகளைச் சுரண்டும் இணையதளங்கள் பற்றிக் குறிப்பிடுகிறது.",
        },
    },
    "sites-promoting-vice": {
        "name": {
            "en": "Sites that promote vice",
            "zh_hans": "宣扬不良风气的网站",
            "ms": "Laman yang mempromosikan maksiat",
            "ta": "ஒழுக்கக்கேட்டை ஊக்குவிக்கும் இணையதளங்கள்",
        },
        "summary": {
            "en": "Websites and groups that promote or trade in the sexual exploitation of "
            "women and girls.",
            "zh_hans": "宣扬或买卖对女性和女孩的性剥削的网站和群组。",
            "ms": "Laman web dan kumpulan yang mempromosikan atau memperdagangkan eksploitasi "
            "seksual wanita dan kanak-kanak perempuan.",
            "ta": "பெண்கள் மற்றும் சிறுமிகள் மீதான பாலியல் சுரண்டலை ஊக்குவிக்கும் அல்லது அதை "
            "வணிகமாக்கும் இணையதளங்களும் குழுக்களும்.",
        },
        "description": {
            "en": "Websites, chat groups and channels that circulate sexualised images of women "
            "and girls, advertise vice or encourage others to take part in abuse.",
            "zh_hans": "传播女性和女孩的性化图像、为色情交易做广告，或怂恿他人参与虐待的网站、"
            "聊天群组和频道。",
            "ms": "Laman web, kumpulan sembang dan saluran yang menyebarkan imej wanita dan "
            "kanak-kanak perempuan yang berunsur seksual, mengiklankan maksiat atau menggalakkan "
            "orang lain untuk turut serta dalam penderaan.",
            "ta": "பெண்கள் மற்றும் சிறுமிகளின் பாலியல் ரீதியான படங்களைப் பரப்பும், "
            "ஒழுக்கக்கேடான சேவைகளை விளம்பரப்படுத்தும், அல்லது துன்புறுத்தலில் ஈடுபட மற்றவர்களைத் "
            "தூண்டும் இணையதளங்கள், அரட்டைக் குழுக்கள், அலைவரிசைகள்.",
        },
        "content_warning": {
            "en": "mentions sexual exploitation.",
            "zh_hans": "涉及性剥削。",
            "ms": "menyebut eksploitasi seksual.",
            "ta": "பாலியல் சுரண்டல் பற்றிக் குறிப்பிடுகிறது.",
        },
    },
}

# slug -> field -> language -> text
SOLUTION_AREAS: dict[str, dict[str, dict[str, str]]] = {
    "public-education": {
        "name": {
            "en": "Public education",
            "zh_hans": "公众教育",
            "ms": "Pendidikan awam",
            "ta": "பொதுமக்களுக்கான கல்வி",
        },
        "description": {
            "en": "Helping people recognise online harms, respond to them and support those "
            "affected.",
            "zh_hans": "帮助公众识别和应对网络伤害，并支持受影响的人。",
            "ms": "Membantu orang ramai mengenal pasti bahaya dalam talian, bertindak "
            "terhadapnya dan menyokong mereka yang terjejas.",
            "ta": "இணையத் தீங்குகளை அடையாளம் காணவும், அவற்றை எதிர்கொள்ளவும், "
            "பாதிக்கப்பட்டவர்களுக்கு ஆதரவளிக்கவும் மக்களுக்கு உதவுதல்.",
        },
    },
    "partnerships": {
        "name": {
            "en": "Partnerships",
            "zh_hans": "伙伴合作",
            "ms": "Perkongsian",
            "ta": "கூட்டாண்மைகள்",
        },
        "description": {
            "en": "Companies, community groups, schools and government working together on "
            "prevention and support.",
            "zh_hans": "企业、社区团体、学校和政府携手合作，预防伤害并提供援助。",
            "ms": "Syarikat, kumpulan masyarakat, sekolah dan pemerintah bekerjasama dalam "
            "pencegahan dan sokongan.",
            "ta": "நிறுவனங்கள், சமூகக் குழுக்கள், பள்ளிகள், அரசாங்கம் ஆகியவை தடுப்புக்காகவும் "
            "ஆதரவுக்காகவும் இணைந்து செயல்படுதல்.",
        },
    },
    "regulation": {
        "name": {
            "en": "Regulation",
            "zh_hans": "监管",
            "ms": "Peraturan",
            "ta": "ஒழுங்குமுறை",
        },
        "description": {
            "en": "Laws, rules and platform policies that prevent harm and hold those "
            "responsible to account.",
            "zh_hans": "防止伤害、追究责任人的法律、规定和平台政策。",
            "ms": "Undang-undang, peraturan dan dasar platform yang mencegah bahaya dan "
            "mempertanggungjawabkan pihak yang bersalah.",
            "ta": "தீங்கைத் தடுக்கும், தீங்கிழைத்தவர்களைப் பொறுப்பேற்கச் செய்யும் சட்டங்கள், "
            "விதிகள், தளங்களின் கொள்கைகள்.",
        },
    },
}

_TWENTY_FOUR_HOURS = {
    "en": "24 hours",
    "zh_hans": "24小时",
    "ms": "24 jam",
    "ta": "24 மணி நேரமும்",
}
_WEEKDAYS = {
    "en": "Weekdays",
    "zh_hans": "周一至周五",
    "ms": "Hari bekerja",
    "ta": "வார நாட்களில்",
}
_NO_HOURS = {"en": "", "zh_hans": "", "ms": "", "ta": ""}

# the service's name (the same in every language) -> field -> language -> text
SUPPORT_RESOURCES: dict[str, dict[str, dict[str, str]]] = {
    "National Anti-Violence and Sexual Harassment Helpline": {
        "description": {
            "en": "Help for anyone facing or witnessing violence, abuse or sexual harassment.",
            "zh_hans": "为遭受或目睹暴力、虐待或性骚扰的任何人提供帮助。",
            "ms": "Bantuan untuk sesiapa yang menghadapi atau menyaksikan keganasan, penderaan "
            "atau gangguan seksual.",
            "ta": "வன்முறை, கொடுமை அல்லது பாலியல் துன்புறுத்தலுக்கு ஆளாகும் அல்லது அதை நேரில் "
            "காணும் எவருக்கும் உதவி.",
        },
        "hours": _TWENTY_FOUR_HOURS,
    },
    "Samaritans of Singapore (SOS)": {
        "description": {
            "en": "Emotional support for anyone in distress or having thoughts of suicide.",
            "zh_hans": "为身处困境或有自杀念头的任何人提供情绪支持。",
            "ms": "Sokongan emosi untuk sesiapa yang dalam kesusahan atau mempunyai fikiran "
            "untuk membunuh diri.",
            "ta": "மன உளைச்சலில் இருக்கும் அல்லது தற்கொலை எண்ணங்கள் உள்ள எவருக்கும் உணர்வுரீதியான ஆதரவு.",
        },
        "hours": _TWENTY_FOUR_HOURS,
    },
    "SHECARES@SCWO": {
        "description": {
            "en": "Support for people affected by online harms: counselling, legal clinics and "
            "help getting harmful content taken down.",
            "zh_hans": "为受网络伤害影响的人提供援助：心理辅导、法律咨询，以及协助删除有害内容。",
            "ms": "Sokongan untuk mereka yang terjejas oleh bahaya dalam talian: kaunseling, "
            "klinik guaman dan bantuan untuk menurunkan kandungan yang berbahaya.",
            "ta": "இணையத் தீங்குகளால் பாதிக்கப்பட்டவர்களுக்கு ஆதரவு: ஆலோசனை, சட்ட உதவி "
            "மையங்கள், தீங்கான உள்ளடக்கத்தை அகற்ற உதவி.",
        },
        "hours": _NO_HOURS,
    },
    "AWARE Sexual Assault Care Centre": {
        "description": {
            "en": "Confidential support for anyone who has experienced sexual assault or "
            "harassment, online or offline.",
            "zh_hans": "为在网上或现实生活中遭受性侵犯或性骚扰的任何人提供保密援助。",
            "ms": "Sokongan sulit untuk sesiapa yang pernah mengalami serangan seksual atau "
            "gangguan, dalam talian atau di luar talian.",
            "ta": "இணையத்திலோ நேரிலோ பாலியல் வன்கொடுமைக்கோ துன்புறுத்தலுக்கோ ஆளான எவருக்கும் ரகசியமான ஆதரவு.",
        },
        "hours": _WEEKDAYS,
    },
    "Tinkle Friend": {
        "description": {
            "en": "A helpline and chat for primary school children who need someone to talk to.",
            "zh_hans": "为需要找人倾诉的小学生而设的求助热线和在线聊天服务。",
            "ms": "Talian bantuan dan sembang dalam talian untuk kanak-kanak sekolah rendah yang "
            "memerlukan seseorang untuk diajak berbual.",
            "ta": "யாரிடமாவது பேச வேண்டிய தொடக்கப்பள்ளிச் சிறுவர்களுக்கான உதவித் தொலைபேசி "
            "மற்றும் இணைய அரட்டைச் சேவை.",
        },
        "hours": _WEEKDAYS,
    },
}


def translated_columns(texts: dict[str, dict[str, str]]) -> dict[str, str]:
    """{"name": {"en": .., "ms": ..}} as the columns to write: {"name_en": .., "name_ms": ..}."""
    return {
        f"{field}_{language}": text
        for field, by_language in texts.items()
        for language, text in by_language.items()
    }


def fill_translations(row, fields: tuple[str, ...], texts: dict | None) -> list[str]:
    """Write the English and the translations of `row` (a historical or real model instance)
    where they are missing; returns the columns it changed, for save(update_fields=...).

    The English column takes the text the row had before it had columns per language (every
    row, seeded or not). A translation is written only into an empty column, and only beside
    English that is still the text it translates; so running this twice, or after an
    administrator has edited a translation, changes nothing."""
    changed = []
    for field in fields:
        english_column = f"{field}_en"
        # Before the columns per language, the text was English: it moves to _en.
        before = row.__dict__.get(field) or ""
        if not getattr(row, english_column) and before:
            setattr(row, english_column, before)
            changed.append(english_column)
        by_language = (texts or {}).get(field)
        if not by_language or getattr(row, english_column) != by_language["en"]:
            continue
        for language in TRANSLATED_LANGUAGES:
            column = f"{field}_{language}"
            if not getattr(row, column) and by_language[language]:
                setattr(row, column, by_language[language])
                changed.append(column)
    return changed
