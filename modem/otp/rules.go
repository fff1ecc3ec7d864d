package otp

// This file is the whole rule book of the finder: platforms, their senders and words, their
// own code formats, the code keywords of every language, and the phrases whose numbers are
// never codes. The logic (otp.go, candidates.go, text.go, match.go) holds no names or words of
// its own, so a change in how a service words its texts is a change here and a new line in
// testdata/corpus.json, nothing else.
//
// How to add a platform: append a platformRule to platformRules.
//   - name     is what the inbox shows ("Clio"). Two rules may share a name (aliases).
//   - senders  are exact sender IDs as the modem reports them, compared case-insensitively
//              with spaces, dashes and a leading "+" ignored: alphanumeric IDs ("Microsoft")
//              and short codes ("69525"). A short code is never taken as the code itself.
//   - words    are words or phrases that name the service in the text, lower case. A word
//              that starts or ends with a Latin letter only matches as a whole word.
//   - domains  are the origin domains of "@domain #code" last lines; a subdomain matches.
//   - codes    are regular expressions (RE2, run on the lower-cased text with every digit made
//              ASCII) with one capture group around the code; they are tried only when the
//              platform was identified, and a hit is High confidence. Write letters in lower
//              case: the finder restores the original case of the captured code.
// When two platforms' words both occur, the one named first in the text wins; on a tie the
// earlier rule wins.
//
// How to add a language: append a keywordSet to keywordSets with the words that introduce a
// code (lower case, longest phrases need not come first). Then add the language's words for
// orders, tracking, card endings, phone calls and durations to the exclusion patterns below,
// and its month names to monthNames. Add a positive and a negative sample per language to
// testdata/corpus.json.

// platformRule names one service; see the comment at the top of the file.
type platformRule struct {
	name    string
	senders []string
	words   []string
	domains []string
	codes   []string
}

// platformRules lists the services the finder can name. Legal platforms first: they are the
// reason firmline exists, so they win ties.
var platformRules = []platformRule{
	// Legal practice and research platforms.
	{name: "Clio", senders: []string{"Clio"}, words: []string{"clio", "clio manage", "clio grow"}, domains: []string{"clio.com"}},
	{name: "Westlaw", senders: []string{"Westlaw", "ThomsonReuters", "TR OnePass"}, words: []string{"westlaw", "thomson reuters", "onepass", "practical law", "westlaw edge", "cocounsel"}, domains: []string{"thomsonreuters.com", "westlaw.com"}},
	{name: "NetDocuments", senders: []string{"NetDocs", "NetDocuments"}, words: []string{"netdocuments", "netdocs", "ndmax"}, domains: []string{"netdocuments.com"}},
	{name: "iManage", senders: []string{"iManage"}, words: []string{"imanage", "imanage share", "imanage work"}, domains: []string{"imanage.com", "imanageshare.com", "imanagework.com"}},
	{name: "MyCase", senders: []string{"MyCase"}, words: []string{"mycase"}, domains: []string{"mycase.com"}},
	{name: "Lexis", senders: []string{"LexisNexis", "Lexis"}, words: []string{"lexisnexis", "lexis+", "lexis", "lexis+ ai"}, domains: []string{"lexisnexis.com", "lexis.com"}},
	{name: "PracticePanther", senders: []string{"PracticePanther"}, words: []string{"practicepanther", "practice panther"}, domains: []string{"practicepanther.com"}},
	{name: "Smokeball", senders: []string{"Smokeball"}, words: []string{"smokeball"}, domains: []string{"smokeball.com"}},
	{name: "Filevine", senders: []string{"Filevine"}, words: []string{"filevine"}, domains: []string{"filevine.com"}},
	{name: "CosmoLex", senders: []string{"CosmoLex"}, words: []string{"cosmolex"}, domains: []string{"cosmolex.com"}},
	{name: "Relativity", words: []string{"relativityone", "relativity"}, domains: []string{"relativity.one"}},
	{name: "Everlaw", words: []string{"everlaw"}, domains: []string{"everlaw.com"}},
	{name: "Bloomberg Law", words: []string{"bloomberg law"}, domains: []string{"bloomberglaw.com"}},

	// Identity, productivity and developer services.
	{name: "Microsoft", senders: []string{"69525", "Microsoft", "MSFT"}, words: []string{"microsoft", "outlook", "office 365", "microsoft 365", "azure", "微软"},
		domains: []string{"microsoft.com", "live.com", "microsoftonline.com"},
		codes:   []string{`use (\d{4,8}) as (?:your )?microsoft`, `microsoft[^\n]{0,40}?code:? (\d{4,8})`}},
	{name: "Google", senders: []string{"22000", "Google"}, words: []string{"google", "gmail", "谷歌"}, domains: []string{"google.com", "accounts.google.com"},
		codes: []string{`(?:^|[^a-z0-9])g-(\d{4,8})(?:[^0-9]|$)`}},
	{name: "Apple", senders: []string{"Apple"}, words: []string{"apple id", "apple account", "icloud", "apple"}, domains: []string{"apple.com", "icloud.com"}},
	{name: "Okta", senders: []string{"Okta"}, words: []string{"okta"}, domains: []string{"okta.com", "oktapreview.com"}},
	{name: "Duo", senders: []string{"Duo", "DuoSecurity"}, words: []string{"duo security", "duo mobile", "duo"}, domains: []string{"duosecurity.com", "duo.com"}},
	{name: "DocuSign", senders: []string{"DocuSign"}, words: []string{"docusign"}, domains: []string{"docusign.com", "docusign.net"}},
	{name: "Dropbox", senders: []string{"Dropbox"}, words: []string{"dropbox"}, domains: []string{"dropbox.com"}},
	{name: "Adobe", senders: []string{"Adobe"}, words: []string{"adobe", "adobe sign", "acrobat"}, domains: []string{"adobe.com"}},
	{name: "Amazon", senders: []string{"262966", "Amazon"}, words: []string{"amazon", "aws"}, domains: []string{"amazon.com", "aws.amazon.com"}},
	{name: "Zoom", senders: []string{"Zoom"}, words: []string{"zoom"}, domains: []string{"zoom.us"}},
	{name: "Slack", senders: []string{"Slack"}, words: []string{"slack"}, domains: []string{"slack.com"}},
	{name: "Salesforce", senders: []string{"Salesforce"}, words: []string{"salesforce"}, domains: []string{"salesforce.com"}},
	{name: "Intuit", senders: []string{"Intuit"}, words: []string{"intuit", "quickbooks", "turbotax"}, domains: []string{"intuit.com"}},
	{name: "PayPal", senders: []string{"729725", "PayPal"}, words: []string{"paypal"}, domains: []string{"paypal.com"}},
	{name: "Stripe", senders: []string{"Stripe"}, words: []string{"stripe"}, domains: []string{"stripe.com"}},
	{name: "LinkedIn", senders: []string{"LinkedIn"}, words: []string{"linkedin"}, domains: []string{"linkedin.com"}},
	{name: "Facebook", senders: []string{"32665", "Facebook", "FBOOK"}, words: []string{"facebook", "instagram", "meta"}, domains: []string{"facebook.com", "instagram.com"},
		codes: []string{`(?:^|[^a-z0-9])fb-(\d{5,8})(?:[^0-9]|$)`}},
	{name: "WhatsApp", senders: []string{"WhatsApp"}, words: []string{"whatsapp"}, domains: []string{"whatsapp.com"}},
	{name: "Twitter", senders: []string{"40404", "Twitter", "X"}, words: []string{"twitter"}, domains: []string{"twitter.com", "x.com"}},
	{name: "GitHub", senders: []string{"GitHub"}, words: []string{"github"}, domains: []string{"github.com"}},
	{name: "Box", senders: []string{"Box"}, words: []string{"box.com"}, domains: []string{"box.com"}},
	{name: "Citrix", senders: []string{"Citrix", "ShareFile"}, words: []string{"sharefile", "citrix"}, domains: []string{"sharefile.com"}},
	{name: "Twilio", senders: []string{"Twilio", "Authy"}, words: []string{"twilio", "authy"}, domains: []string{"twilio.com"}},
	{name: "Uber", senders: []string{"Uber"}, words: []string{"uber"}, domains: []string{"uber.com"}},
	{name: "Lyft", senders: []string{"Lyft"}, words: []string{"lyft"}, domains: []string{"lyft.com"}},
	{name: "Telegram", senders: []string{"Telegram"}, words: []string{"telegram"}, domains: []string{"telegram.org"}},
	{name: "WeChat", senders: []string{"WeChat"}, words: []string{"wechat", "微信"}},
	{name: "Alipay", senders: []string{"Alipay"}, words: []string{"alipay", "支付宝"}},

	// Banks. US short codes are the widely published ones; elsewhere banks use names.
	{name: "Chase", senders: []string{"24273", "Chase"}, words: []string{"chase", "jpmorgan"}, domains: []string{"chase.com"}},
	{name: "Bank of America", senders: []string{"BofA"}, words: []string{"bank of america", "bofa"}, domains: []string{"bankofamerica.com"}},
	{name: "Wells Fargo", senders: []string{"93557", "WellsFargo"}, words: []string{"wells fargo"}, domains: []string{"wellsfargo.com"}},
	{name: "Citi", senders: []string{"692484", "Citi"}, words: []string{"citibank", "citi"}, domains: []string{"citi.com"}},
	{name: "Capital One", senders: []string{"227898", "CapitalOne"}, words: []string{"capital one"}, domains: []string{"capitalone.com"}},
	{name: "American Express", senders: []string{"AmEx"}, words: []string{"american express", "amex"}, domains: []string{"americanexpress.com"}},
	{name: "HSBC", senders: []string{"HSBC"}, words: []string{"hsbc"}, domains: []string{"hsbc.com", "hsbc.co.uk"}},
	{name: "Barclays", senders: []string{"Barclays"}, words: []string{"barclays"}, domains: []string{"barclays.co.uk"}},
	{name: "Lloyds", senders: []string{"Lloyds"}, words: []string{"lloyds"}, domains: []string{"lloydsbank.com"}},
	{name: "NatWest", senders: []string{"NatWest"}, words: []string{"natwest"}, domains: []string{"natwest.com"}},
	{name: "Santander", senders: []string{"Santander"}, words: []string{"santander"}, domains: []string{"santander.com"}},
	{name: "Deutsche Bank", senders: []string{"DeutscheBk"}, words: []string{"deutsche bank"}, domains: []string{"db.com"}},
	{name: "Sparkasse", senders: []string{"Sparkasse"}, words: []string{"sparkasse"}},
	{name: "ING", senders: []string{"ING"}, words: []string{"ing-diba", "ing bank"}},
	{name: "BNP Paribas", senders: []string{"BNPParibas"}, words: []string{"bnp paribas"}},
	{name: "BBVA", senders: []string{"BBVA"}, words: []string{"bbva"}},
	{name: "Itaú", senders: []string{"Itau"}, words: []string{"itaú", "itau"}},
	{name: "Intesa Sanpaolo", senders: []string{"Intesa"}, words: []string{"intesa sanpaolo"}},
	{name: "Rabobank", senders: []string{"Rabobank"}, words: []string{"rabobank"}},
	{name: "ABN AMRO", senders: []string{"ABNAMRO"}, words: []string{"abn amro"}},
	{name: "China Merchants Bank", senders: []string{"95555"}, words: []string{"招商银行"}},
	{name: "ICBC", senders: []string{"95588"}, words: []string{"工商银行"}},
	{name: "Sberbank", senders: []string{"900"}, words: []string{"сбербанк", "сбер"}},
}

// keywordSet is one language's words that introduce a one-time code.
type keywordSet struct {
	lang  string
	words []string
}

// keywordSets are matched case-insensitively. A word that starts with a Latin or Cyrillic
// letter must start a word in the text; one of three letters or fewer must also end one.
var keywordSets = []keywordSet{
	{lang: "en", words: []string{"code", "codes", "passcode", "password", "one-time", "one time", "otp", "2fa", "two-factor",
		"verification", "verify", "security code", "pin", "tan", "mtan", "smstan", "token", "tokencode", "sign in", "sign-in",
		"log in", "login", "log-in", "authentication", "authenticate", "access code", "single-use", "account key"}},
	{lang: "de", words: []string{"code", "bestätigungscode", "sicherheitscode", "verifizierungscode", "anmeldecode", "einmalcode",
		"zugangscode", "freigabecode", "einmalkennwort", "einmalpasswort", "kennwort", "passwort", "tan", "pin", "prüfcode"}},
	{lang: "fr", words: []string{"code", "code de vérification", "code de sécurité", "code de confirmation", "mot de passe", "code d'accès", "code unique"}},
	{lang: "es", words: []string{"código", "codigo", "clave", "contraseña", "el siguiente pin", "verificación", "verificacion"}},
	{lang: "pt", words: []string{"código", "codigo", "senha", "verificação", "verificacao"}},
	{lang: "it", words: []string{"codice", "codice di verifica", "codice otp", "password"}},
	{lang: "nl", words: []string{"code", "verificatiecode", "inlogcode", "beveiligingscode", "bevestigingscode", "eenmalige code", "wachtwoord"}},
	{lang: "zh", words: []string{"验证码", "校验码", "驗證碼", "认证码", "認證碼", "动态码", "動態碼", "动态密码", "動態密碼", "识别码", "識別碼",
		"確認碼", "确认码", "安全码", "随机码", "登录码", "验证", "驗證"}},
	{lang: "ja", words: []string{"認証コード", "確認コード", "認証番号", "確認番号", "ワンタイムパスワード", "ワンタイム", "パスコード", "コード", "暗証番号"}},
	{lang: "ko", words: []string{"인증번호", "인증 번호", "인증코드", "확인코드", "확인 코드", "보안코드", "승인번호"}},
	{lang: "ru", words: []string{"код", "пароль", "код подтверждения"}},
	{lang: "pl", words: []string{"kod", "kodem", "kodu", "hasło", "haslo", "autoryzacji", "weryfikacyjny"}},
	{lang: "tr", words: []string{"kod", "kodu", "kodunuz", "doğrulama", "şifre", "şifreniz", "sifreniz"}},
	{lang: "he", words: []string{"קוד", "סיסמה", "סיסמא"}},
	{lang: "ar", words: []string{"رمز", "كود", "رمز التحقق", "كلمة المرور"}},
	{lang: "fa", words: []string{"کد", "رمز"}},
	{lang: "fi", words: []string{"vahvistuskoodi", "koodi"}},
}

// monthNames are month names and abbreviations of every language above, lower case; a
// number beside one is a date.
var monthNames = []string{
	"jan", "january", "januar", "januari", "janvier", "janeiro", "enero", "gennaio", "feb", "february", "februar", "februari",
	"février", "fevereiro", "febrero", "febbraio", "mar", "march", "märz", "maart", "mars", "março", "marzo", "apr", "april",
	"avril", "abril", "aprile", "may", "mai", "mei", "mayo", "maio", "maggio", "jun", "june", "juni", "juin", "junio", "junho",
	"giugno", "jul", "july", "juli", "juillet", "julio", "julho", "luglio", "aug", "august", "augustus", "août", "agosto", "sep",
	"sept", "september", "septembre", "septiembre", "setembro", "settembre", "oct", "october", "oktober", "octobre", "octubre",
	"outubro", "ottobre", "nov", "november", "novembre", "noviembre", "novembro", "dec", "december", "dezember", "décembre",
	"diciembre", "dezembro", "dicembre",
}

// exclusionRule marks a stretch of text whose numbers are never a code. Patterns are RE2 and
// run on the lower-cased text with ASCII digits and plain spaces. A rule is either a whole
// pattern, or a list of words with what must come before and/or after one of them: the
// words are found by plain search and only their surroundings are matched, which keeps long
// word lists cheap. A word starting (ending) with an ASCII letter or digit must start (end) a
// word of the text, unless prefix is set, which lets it be the start of a longer word ("code"
// of "codes"). A benign stretch (a duration, a size) does not count as "another number" for
// the fallback.
type exclusionRule struct {
	reason  string
	pattern string // the whole stretch; or:
	words   []string
	before  string // what must come right before a word ("" when nothing must)
	after   string // what must come right after a word ("" when nothing must)
	prefix  bool
	benign  bool
}

// exclusionRules are the known false positives (modem.md §7.2, requirement 35).
var exclusionRules = []exclusionRule{
	{reason: "url", pattern: `(?:https?://|www\.)[^\s]+|[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|de|fr|es|it|nl|uk|gov|edu|app|ly|gl|me|us|cn|jp|ru|pl|tr|ca|au|ch|at|be|br|pt|law|legal|info|biz)(?:/[^\s]*)?`},
	{reason: "amount", after: `\s?-?\d[\d.,']*`, words: []string{
		"us$", "r$", "$", "€", "£", "¥", "₹", "₽", "₺", "usd", "eur", "gbp", "chf", "jpy", "cny", "rmb", "cad", "aud", "inr", "brl",
		"mxn", "pln", "rub", "sek", "nok", "dkk"}},
	{reason: "amount", before: `\d[\d.,']*\s?`, words: []string{
		"$", "€", "£", "¥", "₹", "₽", "₺", "元", "円", "원", "ريال", "zł", "руб", "р", "usd", "eur", "gbp", "chf", "jpy", "cny", "rmb", "cad",
		"aud", "brl", "pln", "zl", "tl", "rub", "dollar", "dollars", "euro", "euros", "pound", "pounds", "yuan", "reais"}},
	{reason: "amount", after: `\D{0,25}\d[\d.,]*`, words: []string{
		"balance", "saldo", "solde", "guthaben", "kontostand", "bakiye", "余额", "残高", "잔액", "баланс"}},
	{reason: "date", pattern: `\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\d{4}\s?年\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?日)?|\d{1,2}\s?月\s?\d{1,2}\s?日|\d{4}년|\d{1,2}월\s?\d{1,2}일`},
	{reason: "date", words: monthNames, after: `\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4}\b)?`},
	{reason: "date", words: monthNames, before: `\b\d{1,2}(?:st|nd|rd|th|er|º|\.)?\s+(?:de\s+)?`, after: `\.?(?:\s+(?:de\s+)?\d{4}\b)?`},
	{reason: "time", pattern: `\b\d{1,2}[:h]\d{2}(?::\d{2})?\b|\b\d{1,4}\s?(?:am|pm|uhr)\b`},
	{reason: "phone", pattern: `\+\d[\d\s().-]{6,}\d|(?:\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[\s.-]\d{4}\b|\b1[\s.-]\d{3}[\s.-]\d{3}[\s.-]\d{4}\b|\b0\d{2,4}[\s.-]\d{3,4}[\s.-]?\d{3,4}\b`},
	{reason: "phone", after: `\D{0,20}\d[\d\s().-]{3,}\d`, words: []string{
		"call", "phone", "tel", "telephone", "contact", "hotline", "fax", "whatsapp us", "text us", "anrufen", "telefon", "rufen sie",
		"appelez", "téléphone", "llame", "llámenos", "teléfono", "ligue", "telefone", "chiami", "telefono", "bel", "bellen",
		"zadzwoń", "звоните", "телефон", "arayın", "电话", "热线", "致电", "拨打", "客服", "電話"}},
	{reason: "card ending", after: `\D{0,8}\d{2,6}`, words: []string{
		"ending", "ending in", "ends in", "ends with", "end in", "last 4", "last 4 digits", "last four digits", "endziffer",
		"endziffern", "endnummer", "endend auf", "terminada en", "terminado en", "terminando en", "terminación", "terminacion",
		"finissant par", "se terminant par", "terminant par", "final", "finale", "terminante in", "terminante con",
		"eindigend op", "eindigt op", "kończącej", "kończącą", "kończąca", "kończący", "尾号", "尾號", "末尾", "末四位", "尾数",
		"끝자리", "оканчивающейся", "оканчивающаяся", "оканчивается", "المنتهية"}},
	{reason: "card ending", pattern: `[*x•·]{2,}\s?\d{2,6}`},
	{reason: "card ending", after: `\s*(?:no\.?|number|nr\.?|#)?\s*[:#]?\s*[*x•]*\d{4}\b`, words: []string{
		"card", "karte", "carte", "tarjeta", "cartão", "carta", "kaart", "visa", "mastercard", "amex", "debit", "credit"}},
	{reason: "reference", after: `\s*(?:number|num\.?|nr\.?|no\.?|n\.|n°|nº|#|id|número|numero|nummer|numarası|numarasi|номер)?\s*(?:is|ist|est|es|é|è|:|：)?\s*#?\s*[a-z0-9-]*\d[a-z0-9-]*`, words: []string{
		"order", "orders", "tracking", "track", "reference", "ref", "invoice", "booking", "confirmation number",
		"confirmation no", "confirmation #", "case", "matter", "docket", "ticket", "acct", "account", "policy", "claim", "receipt",
		"transaction", "txn", "shipment", "parcel", "package", "delivery", "flight", "seat", "gate", "room", "reservation",
		"appointment", "document", "doc", "workspace", "folder", "plate", "license plate", "kennzeichen", "matrícula",
		"placa", "targa", "kenteken", "zone", "ip", "bestellnummer", "bestellung", "sendungsnummer", "sendung",
		"paket", "rechnung", "rechnungsnummer", "auftrag", "kundennummer", "aktenzeichen", "dokument", "commande", "colis",
		"facture", "référence", "réservation", "dossier", "pedido", "envío", "envio", "factura", "referencia", "reserva",
		"documento", "encomenda", "fatura", "ordine", "pacco", "spedizione", "fattura", "prenotazione", "riferimento", "bestelling",
		"pakket", "factuur", "zending", "zamówienie", "zamówienia", "przesyłka", "kargo", "takip no", "takip", "sipariş",
		"siparişiniz", "заказ", "посылка", "посылку", "订单", "訂單", "运单", "單號", "单号", "注文番号", "お問い合わせ番号",
		"주문번호", "송장번호"}},
	{reason: "iban", pattern: `\b[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){3,7}(?: ?[a-z0-9]{1,4})?\b`},
	{reason: "not a login code", prefix: true, after: `s?\s*[:\-]?\s*(?:is\s+|ist\s+|est\s+|es\s+)?[a-z0-9-]*`, words: []string{
		"discount code", "promo code", "promotional code", "promotion code", "coupon code", "voucher code", "gift code",
		"gift card code", "referral code", "area code", "tracking code", "trackingcode", "zip code", "postal code", "post code",
		"postcode", "barcode", "bar code", "qr code", "invite code", "invitation code", "rabattcode", "gutscheincode",
		"promocode", "code promo", "code de réduction", "código de descuento", "código descuento", "código promocional",
		"código postal", "cupom", "cupón", "codice sconto", "kortingscode", "kod rabatowy", "indirim kodu", "промокод",
		"优惠码", "优惠券", "折扣码", "邀请码"}},
	{reason: "promotion", pattern: `[a-z0-9-]*\d[a-z0-9-]*\s+(?:for|at|to get|and get|and save)\s+(?:\d+\s?%|[$€£]\d+|checkout)|(?:\d+\s?%|[$€£]\d+)\s+off\D{0,30}?codes?\s*:?\s*[a-z0-9-]+`},
	{reason: "reply short code", after: `\s+\w+\s+(?:to|an|au|al|a|para|naar)\s+\d+`, words: []string{"reply", "text", "send", "txt", "sms"}},
	{reason: "duration", benign: true, pattern: `\d+\s?-?\s?(?:(?:minutes?|minuten|minutos?|minuti|minuut|min|mins|hours?|hrs?|stunden?|std|heures?|horas?|ore|uur|seconds?|secs?|sekunden|secondes|segundos|secondi|days?|tage?n?|jours?|dias?|giorni|dagen|dakika|saat|minut\w*|godzin\w*)\b|días?|минут|час|分钟|分鐘|分間|分|小时|秒|時間|분|시간|دقيقة|دقائق)`},
	{reason: "size", benign: true, pattern: `\b\d+(?:[.,]\d+)?\s?(?:gb|mb|kb|tb|km|kg|ml|mm|cm|mph|%)`},
	{reason: "digit count", benign: true, pattern: `\b\d{1,2}[\s-]?(?:digits?|stellig\w*|chiffres|dígitos|cifre|cijfers)`},
}

// originPattern is the origin-bound last line of WICG "Origin-bound one-time codes delivered
// via SMS" and Apple's domain-bound codes: "@domain #code", optionally followed by
// " %embedding-domain". Group 1 is the domain, group 2 the code. It runs on the lower-cased
// last line.
const originPattern = `^@([a-z0-9][a-z0-9.-]*\.[a-z0-9-]+)[ ]+#([a-z0-9]{4,10})(?:[ ]+%[a-z0-9.-]+)?[ ]*$`

// Code-shape limits from the SMS User Consent API: 4 to 10 characters with at least one
// digit (modem.md §7.1). The windows count the characters between keyword and code that no
// exclusion covers.
const (
	minCodeLen   = 4
	maxCodeLen   = 10
	windowAfter  = 50 // keyword ... code
	windowBefore = 30 // code ... keyword
)
