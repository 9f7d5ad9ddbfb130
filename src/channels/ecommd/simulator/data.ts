/**
 * Moldovan reference data for the simulator: regions (municipalities, raions, Găgăuzia), localities
 * with postal codes, the five Chișinău sectors with streets, customer names, a small catalogue
 * priced in MDL (bani), stores and promo codes. Names in Romanian and Russian (Accept-Language).
 * Region 3 = Chișinău and locality 56 = Băcioi match the ids in ecom.md's Order.json example.
 */

export interface Named {
  id: number;
  ro: string;
  ru: string;
}
export interface Locality extends Named {
  regionId: number;
  zip: string;
}

export const REGIONS: readonly Named[] = [
  { id: 1, ro: 'Anenii Noi', ru: 'Анений Ной' },
  { id: 2, ro: 'Basarabeasca', ru: 'Басарабяска' },
  { id: 3, ro: 'Chișinău', ru: 'Кишинёв' },
  { id: 4, ro: 'Bălți', ru: 'Бельцы' },
  { id: 5, ro: 'Briceni', ru: 'Бричаны' },
  { id: 6, ro: 'Cahul', ru: 'Кагул' },
  { id: 7, ro: 'Cantemir', ru: 'Кантемир' },
  { id: 8, ro: 'Călărași', ru: 'Кэлэраш' },
  { id: 9, ro: 'Căușeni', ru: 'Кэушень' },
  { id: 10, ro: 'Cimișlia', ru: 'Чимишлия' },
  { id: 11, ro: 'Criuleni', ru: 'Криуляны' },
  { id: 12, ro: 'Dondușeni', ru: 'Дондюшаны' },
  { id: 13, ro: 'Drochia', ru: 'Дрокия' },
  { id: 14, ro: 'Dubăsari', ru: 'Дубэсары' },
  { id: 15, ro: 'Edineț', ru: 'Единцы' },
  { id: 16, ro: 'Fălești', ru: 'Фалешты' },
  { id: 17, ro: 'Florești', ru: 'Флорешты' },
  { id: 18, ro: 'UTA Găgăuzia', ru: 'АТО Гагаузия' },
  { id: 19, ro: 'Glodeni', ru: 'Глодяны' },
  { id: 20, ro: 'Hîncești', ru: 'Хынчешты' },
  { id: 21, ro: 'Ialoveni', ru: 'Яловены' },
  { id: 22, ro: 'Leova', ru: 'Леова' },
  { id: 23, ro: 'Nisporeni', ru: 'Ниспорены' },
  { id: 24, ro: 'Ocnița', ru: 'Окница' },
  { id: 25, ro: 'Orhei', ru: 'Орхей' },
  { id: 26, ro: 'Rezina', ru: 'Резина' },
  { id: 27, ro: 'Rîșcani', ru: 'Рышканы' },
  { id: 28, ro: 'Sîngerei', ru: 'Сынжерей' },
  { id: 29, ro: 'Soroca', ru: 'Сороки' },
  { id: 30, ro: 'Strășeni', ru: 'Страшены' },
  { id: 31, ro: 'Șoldănești', ru: 'Шолданешты' },
  { id: 32, ro: 'Ștefan Vodă', ru: 'Штефан-Водэ' },
  { id: 33, ro: 'Taraclia', ru: 'Тараклия' },
  { id: 34, ro: 'Telenești', ru: 'Теленешты' },
  { id: 35, ro: 'Ungheni', ru: 'Унгены' },
];

const L = (id: number, regionId: number, ro: string, ru: string, zip: string): Locality => ({ id, regionId, ro, ru, zip });

/** Chișinău city: the locality that has sectors. */
export const CHISINAU_CITY_ID = 50;

export const LOCALITIES: readonly Locality[] = [
  L(50, 3, 'Chișinău', 'Кишинёв', 'MD-2001'),
  L(51, 3, 'Durlești', 'Дурлешты', 'MD-2003'),
  L(52, 3, 'Codru', 'Кодру', 'MD-2055'),
  L(53, 3, 'Cricova', 'Крикова', 'MD-2084'),
  L(54, 3, 'Vatra', 'Ватра', 'MD-2056'),
  L(55, 3, 'Sîngera', 'Сынжера', 'MD-2091'),
  L(56, 3, 'Băcioi', 'Бачой', 'MD-2043'),
  L(57, 3, 'Stăuceni', 'Стэучень', 'MD-2052'),
  L(58, 3, 'Bubuieci', 'Бубуечь', 'MD-2088'),
  L(59, 3, 'Trușeni', 'Трушень', 'MD-2064'),
  L(70, 4, 'Bălți', 'Бельцы', 'MD-3100'),
  L(71, 4, 'Elizaveta', 'Елизавета', 'MD-3119'),
  L(72, 4, 'Sadovoe', 'Садовое', 'MD-3118'),
  L(80, 1, 'Anenii Noi', 'Анений Ной', 'MD-6501'),
  L(81, 1, 'Bulboaca', 'Булбоака', 'MD-6512'),
  L(82, 1, 'Mereni', 'Мерень', 'MD-6531'),
  L(90, 6, 'Cahul', 'Кагул', 'MD-3901'),
  L(91, 6, 'Giurgiulești', 'Джурджулешты', 'MD-5318'),
  L(92, 6, 'Crihana Veche', 'Крихана Веке', 'MD-3917'),
  L(100, 25, 'Orhei', 'Орхей', 'MD-3501'),
  L(101, 25, 'Peresecina', 'Пересечина', 'MD-3543'),
  L(102, 25, 'Trebujeni', 'Требужень', 'MD-3552'),
  L(110, 35, 'Ungheni', 'Унгены', 'MD-3601'),
  L(111, 35, 'Cornești', 'Корнешты', 'MD-3610'),
  L(120, 29, 'Soroca', 'Сороки', 'MD-3001'),
  L(130, 20, 'Hîncești', 'Хынчешты', 'MD-3401'),
  L(140, 21, 'Ialoveni', 'Яловены', 'MD-6801'),
  L(141, 21, 'Costești', 'Костешты', 'MD-6817'),
  L(150, 30, 'Strășeni', 'Страшены', 'MD-3701'),
  L(151, 30, 'Bucovăț', 'Буковэц', 'MD-3719'),
  L(160, 18, 'Comrat', 'Комрат', 'MD-3801'),
  L(161, 18, 'Ceadîr-Lunga', 'Чадыр-Лунга', 'MD-6101'),
  L(162, 18, 'Vulcănești', 'Вулканешты', 'MD-5301'),
  L(170, 15, 'Edineț', 'Единцы', 'MD-4601'),
  L(180, 11, 'Criuleni', 'Криуляны', 'MD-4801'),
  L(190, 9, 'Căușeni', 'Кэушень', 'MD-4301'),
  L(200, 17, 'Florești', 'Флорешты', 'MD-5001'),
  L(210, 13, 'Drochia', 'Дрокия', 'MD-5201'),
  L(220, 16, 'Fălești', 'Фалешты', 'MD-5901'),
  L(230, 8, 'Călărași', 'Кэлэраш', 'MD-4401'),
  L(240, 10, 'Cimișlia', 'Чимишлия', 'MD-4101'),
  L(250, 22, 'Leova', 'Леова', 'MD-6301'),
  L(260, 23, 'Nisporeni', 'Ниспорены', 'MD-6401'),
  L(270, 26, 'Rezina', 'Резина', 'MD-5401'),
  L(280, 27, 'Rîșcani', 'Рышканы', 'MD-5601'),
  L(290, 28, 'Sîngerei', 'Сынжерей', 'MD-6201'),
  L(300, 34, 'Telenești', 'Теленешты', 'MD-5801'),
  L(310, 33, 'Taraclia', 'Тараклия', 'MD-7401'),
  L(320, 32, 'Ștefan Vodă', 'Штефан-Водэ', 'MD-4201'),
  L(330, 19, 'Glodeni', 'Глодяны', 'MD-4901'),
  L(340, 5, 'Briceni', 'Бричаны', 'MD-4701'),
  L(350, 12, 'Dondușeni', 'Дондюшаны', 'MD-5101'),
  L(360, 24, 'Ocnița', 'Окница', 'MD-7101'),
  L(370, 31, 'Șoldănești', 'Шолданешты', 'MD-7201'),
  L(380, 7, 'Cantemir', 'Кантемир', 'MD-7301'),
  L(390, 2, 'Basarabeasca', 'Басарабяска', 'MD-6701'),
  L(400, 14, 'Cocieri', 'Кочиерь', 'MD-4571'),
];

export interface Sector extends Named {
  /** streets of the sector, as customers type them */
  streets: readonly string[];
  /** postal codes used in the sector */
  zips: readonly string[];
}

/** The five sectors of Chișinău (the upsert example's `sector: 11` → Botanica). */
export const SECTORS: readonly Sector[] = [
  { id: 11, ro: 'Botanica', ru: 'Ботаника', streets: ['bd. Dacia', 'bd. Decebal', 'str. Trandafirilor', 'str. Grenoble', 'bd. Cuza Vodă', 'str. Hristo Botev'], zips: ['MD-2068', 'MD-2060', 'MD-2038', 'MD-2028'] },
  { id: 12, ro: 'Buiucani', ru: 'Буюканы', streets: ['str. Alba Iulia', 'str. Ion Creangă', 'str. Calea Ieșilor', 'str. Vasile Lupu', 'str. Ion Pelivan'], zips: ['MD-2075', 'MD-2069', 'MD-2051'] },
  { id: 13, ro: 'Centru', ru: 'Центр', streets: ['bd. Ștefan cel Mare și Sfânt', 'str. Ismail', 'str. Pușkin', 'str. Mihai Eminescu', 'str. Vasile Alecsandri', 'str. București'], zips: ['MD-2001', 'MD-2012', 'MD-2004', 'MD-2009'] },
  { id: 14, ro: 'Ciocana', ru: 'Чеканы', streets: ['bd. Mircea cel Bătrîn', 'str. Ginta Latină', 'str. Petru Zadnipru', 'str. Uzinelor', 'str. Igor Vieru'], zips: ['MD-2044', 'MD-2023', 'MD-2025'] },
  { id: 15, ro: 'Râșcani', ru: 'Рышкановка', streets: ['bd. Moscova', 'str. Kiev', 'str. Miron Costin', 'str. Alecu Russo', 'str. Bogdan Voievod'], zips: ['MD-2068', 'MD-2045', 'MD-2049'] },
];

/** Streets for localities other than Chișinău city. */
export const VILLAGE_STREETS = ['str. Principală', 'str. Ștefan cel Mare', 'str. Independenței', 'str. Mihai Eminescu', 'str. Școlii', 'str. Păcii', 'str. Livezilor', 'str. Gării', 'str. Tineretului', 'str. 31 August 1989'];

export const FIRST_NAMES = [
  'Ion', 'Vasile', 'Andrei', 'Mihai', 'Alexandru', 'Nicolae', 'Sergiu', 'Victor', 'Dumitru', 'Gheorghe', 'Vlad', 'Cristian',
  'Maria', 'Elena', 'Ana', 'Natalia', 'Tatiana', 'Irina', 'Olga', 'Cristina', 'Doina', 'Ecaterina', 'Ludmila', 'Svetlana', 'Valentina', 'Corina',
];
export const LAST_NAMES = [
  'Rusu', 'Ceban', 'Cojocaru', 'Munteanu', 'Lungu', 'Ciobanu', 'Țurcan', 'Rotaru', 'Sandu', 'Bălan', 'Moraru', 'Cebotari',
  'Melnic', 'Spînu', 'Guțu', 'Botnari', 'Pascari', 'Ursu', 'Roșca', 'Grosu', 'Bodrug', 'Cazacu', 'Popa', 'Postolache', 'Chiriac',
];
/** Some clients write their name in Cyrillic. */
export const CYRILLIC_NAMES = [
  'Сергей Иванов', 'Елена Петрова', 'Дмитрий Ткаченко', 'Наталья Кравец', 'Андрей Мельник', 'Ольга Гуцу', 'Виктор Бурлаку',
  'Ирина Сырбу', 'Александр Попов', 'Татьяна Морарь', 'Игорь Чебан', 'Людмила Руссу',
];
export const EMAIL_DOMAINS = ['gmail.com', 'mail.ru', 'yahoo.com', 'yandex.ru', 'mail.md', 'outlook.com'];
/** Moldovan mobile prefixes (Orange 06x, Moldcell 07x) */
export const MOBILE_PREFIXES = ['60', '62', '67', '68', '69', '78', '79'];

export interface Product {
  id: number;
  code: string;
  ro: string;
  ru: string;
  /** MDL in bani */
  price: number;
  /** loyalty price in bani, or null */
  loyalty: number | null;
  /** typical quantities */
  grocery: boolean;
}

const P = (id: number, code: string, ro: string, ru: string, price: number, loyalty: number | null = null, grocery = false): Product => ({
  id, code, ro, ru, price, loyalty, grocery,
});

export const CATALOGUE: readonly Product[] = [
  P(104392, 'SAM-A556-256', 'Smartphone Samsung Galaxy A55 8/256GB Navy', 'Смартфон Samsung Galaxy A55 8/256GB Navy', 899900, 869900),
  P(104417, 'APL-IP15-128', 'Smartphone Apple iPhone 15 128GB Black', 'Смартфон Apple iPhone 15 128GB Black', 1599900, 1549900),
  P(103875, 'SAM-UE55CU7100', 'Televizor Samsung 55" UE55CU7100UXUA', 'Телевизор Samsung 55" UE55CU7100UXUA', 1049900),
  P(102210, 'PHI-HD9350', 'Fierbător electric Philips HD9350/90', 'Электрочайник Philips HD9350/90', 89900, 84900),
  P(105001, 'XIA-S10', 'Aspirator robot Xiaomi Robot Vacuum S10', 'Робот-пылесос Xiaomi Robot Vacuum S10', 429900),
  P(100318, 'LAV-ORO-1KG', 'Cafea boabe Lavazza Qualità Oro 1 kg', 'Кофе в зернах Lavazza Qualità Oro 1 кг', 45990, 43990, true),
  P(100421, 'PUR-RN-075', 'Vin Purcari Rară Neagră 0,75 l', 'Вино Purcari Рара Нягрэ 0,75 л', 28900, null, true),
  P(100422, 'VRT-FN-075', 'Vin Château Vartely Fetească Neagră 0,75 l', 'Вино Château Vartely Фетяска Нягрэ 0,75 л', 16500, 14900, true),
  P(100530, 'KVI-10-05', 'Divin Kvint 10 ani 0,5 l', 'Дивин Kvint 10 лет 0,5 л', 49900, null, true),
  P(100611, 'BOR-05', 'Apă minerală Borjomi 0,5 l', 'Минеральная вода Borjomi 0,5 л', 2450, null, true),
  P(100702, 'BUC-ALN-100', 'Ciocolată Bucuria cu alune 100 g', 'Шоколад Bucuria с орехами 100 г', 3290, 2990, true),
  P(100703, 'BUC-VAS-1KG', 'Bomboane Bucuria Vasilek 1 kg', 'Конфеты Bucuria Василек 1 кг', 14900, null, true),
  P(100810, 'FLO-ULEI-1L', 'Ulei de floarea-soarelui Floris 1 l', 'Масло подсолнечное Floris 1 л', 3490, null, true),
  P(101120, 'JBL-T520BT', 'Căști JBL Tune 520BT', 'Наушники JBL Tune 520BT', 99900, 94900),
  P(106010, 'LEN-IPS3-15', 'Laptop Lenovo IdeaPad Slim 3 15IAH8', 'Ноутбук Lenovo IdeaPad Slim 3 15IAH8', 1199900),
  P(106240, 'LG-F2WV3S7S6E', 'Mașină de spălat LG F2WV3S7S6E', 'Стиральная машина LG F2WV3S7S6E', 879900, 849900),
  P(106241, 'ATL-4421-100', 'Frigider Atlant XM 4421-100 N', 'Холодильник Atlant XM 4421-100 N', 799900),
  P(102290, 'SAM-MS23K3513', 'Cuptor cu microunde Samsung MS23K3513AW', 'Микроволновая печь Samsung MS23K3513AW', 189900),
  P(102301, 'ROW-CV5090', 'Uscător de păr Rowenta CV5090', 'Фен Rowenta CV5090', 64900),
  P(100901, 'PMP-PC3-78', 'Scutece Pampers Premium Care 3 (6-10 kg) 78 buc', 'Подгузники Pampers Premium Care 3 (6-10 кг) 78 шт', 56900, 52900, true),
  P(100950, 'ARI-COL-45', 'Detergent Ariel Color 4,5 kg', 'Стиральный порошок Ariel Color 4,5 кг', 32900, null, true),
  P(103010, 'TEF-UNL-28', 'Tigaie Tefal Unlimited 28 cm', 'Сковорода Tefal Unlimited 28 см', 74900),
  P(107001, 'CRS-INSP-29', 'Bicicletă Crosser Inspiron 29"', 'Велосипед Crosser Inspiron 29"', 549900),
  P(107120, 'MICH-A6-2055516', 'Anvelopă Michelin Alpin 6 205/55 R16', 'Шина Michelin Alpin 6 205/55 R16', 215000),
  P(108005, 'LEGO-42151', 'Set Lego Technic 42151', 'Конструктор Lego Technic 42151', 69900),
  P(101205, 'LOG-G102', 'Mouse Logitech G102 Lightsync', 'Мышь Logitech G102 Lightsync', 39900),
  P(101230, 'XIA-RB5', 'Căști Xiaomi Redmi Buds 5', 'Наушники Xiaomi Redmi Buds 5', 64900, 59900),
  P(100720, 'LAC-CASC-1KG', 'Cașcaval Lactis 45% 1 kg', 'Сыр Кашкавал Lactis 45% 1 кг', 15900, null, true),
  P(100730, 'MIE-SALC-1KG', 'Miere de salcâm 1 kg', 'Мёд акациевый 1 кг', 18900, null, true),
  P(102420, 'DEL-ECAM22', "Espressor De'Longhi Magnifica S ECAM22.110.B", "Кофемашина De'Longhi Magnifica S ECAM22.110.B", 699900, 679900),
];

export interface SimStore {
  id: number;
  lat: string;
  lon: string;
  tooltip: string;
  email: string;
  phones: string[];
  regionId: number;
  localityId: number;
  sectorId: number | null;
  address: string;
  house: string;
  zip: string;
  descriptionRo: string;
  descriptionRu: string;
}

export const STORES: readonly SimStore[] = [
  { id: 333, lat: '47.02486128459364', lon: '28.83240211009979', tooltip: 'Magazin Centru', email: 'centru@magazin.md', phones: ['+373 60 11 11 14', '+373 22 21 21 21'], regionId: 3, localityId: 50, sectorId: 13, address: 'bd. Ștefan cel Mare și Sfânt', house: '126', zip: 'MD-2012', descriptionRo: 'Luni–Duminică 09:00–21:00', descriptionRu: 'Пн–Вс 09:00–21:00' },
  { id: 334, lat: '46.98402547718917', lon: '28.85749101638794', tooltip: 'Magazin Botanica', email: 'botanica@magazin.md', phones: ['+373 60 11 11 15'], regionId: 3, localityId: 50, sectorId: 11, address: 'bd. Dacia', house: '47', zip: 'MD-2060', descriptionRo: 'Luni–Sâmbătă 09:00–20:00', descriptionRu: 'Пн–Сб 09:00–20:00' },
  { id: 335, lat: '47.03812230573128', lon: '28.88567447662354', tooltip: 'Magazin Ciocana', email: 'ciocana@magazin.md', phones: ['+373 60 11 11 16'], regionId: 3, localityId: 50, sectorId: 14, address: 'bd. Mircea cel Bătrîn', house: '25/1', zip: 'MD-2044', descriptionRo: 'Luni–Duminică 10:00–20:00', descriptionRu: 'Пн–Вс 10:00–20:00' },
  { id: 336, lat: '47.76170587433529', lon: '27.92875409126282', tooltip: 'Magazin Bălți', email: 'balti@magazin.md', phones: ['+373 231 5 55 55'], regionId: 4, localityId: 70, sectorId: null, address: 'str. Independenței', house: '15', zip: 'MD-3100', descriptionRo: 'Luni–Sâmbătă 09:00–19:00', descriptionRu: 'Пн–Сб 09:00–19:00' },
];

export interface SimPromoCode {
  id: number;
  code: string;
  /** percent */
  discount: number;
  start: string;
  end: string;
  active: boolean;
}

export const PROMO_CODES: readonly SimPromoCode[] = [
  { id: 1, code: 'PRIMAVARA10', discount: 10, start: '2024-03-01', end: '2030-05-31', active: true },
  { id: 2, code: 'BLACKFRIDAY15', discount: 15, start: '2024-11-20', end: '2024-12-02', active: false },
  { id: 3, code: 'MARTISOR5', discount: 5, start: '2025-02-25', end: '2030-03-10', active: true },
];

export type Lang = 'ro' | 'ru';

/** Accept-Language → the names served: Russian for ru/uk, Romanian otherwise (en falls back to ro). */
export function langOf(header: string | string[] | undefined): Lang {
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('ru') || first.startsWith('uk') ? 'ru' : 'ro';
}

export function nameIn(n: Named, lang: Lang): string {
  return lang === 'ru' ? n.ru : n.ro;
}
