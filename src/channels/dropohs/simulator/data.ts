/**
 * Word lists for the Dropohs simulator: Czech and Slovak names (with the feminine surname forms
 * spelled out, not derived), streets, cities with real postal codes (Slovak ones start with 0, which
 * the API's integer zip loses), payment and delivery methods, and a dropshipping catalogue with
 * variants (gross prices in haléř, VAT 21 / 12 / 0 % as in CZ since 2024).
 */

export type Country = 'CZ' | 'SK';

export interface NameSet {
  male: readonly string[];
  female: readonly string[];
  /** [masculine, feminine] surname pairs */
  surnames: ReadonlyArray<readonly [string, string]>;
}

export const NAMES: Record<Country, NameSet> = {
  CZ: {
    male: ['Jan', 'Petr', 'Jiří', 'Josef', 'Pavel', 'Martin', 'Tomáš', 'Jaroslav', 'Miroslav', 'Zdeněk', 'Václav', 'Michal', 'Lukáš', 'Jakub', 'David', 'Ondřej', 'Vojtěch', 'Radek', 'Karel', 'Filip'],
    female: ['Jana', 'Marie', 'Eva', 'Hana', 'Anna', 'Lenka', 'Kateřina', 'Lucie', 'Věra', 'Alena', 'Petra', 'Veronika', 'Jaroslava', 'Tereza', 'Martina', 'Michaela', 'Zuzana', 'Markéta', 'Barbora', 'Klára'],
    surnames: [
      ['Novák', 'Nováková'], ['Svoboda', 'Svobodová'], ['Novotný', 'Novotná'], ['Dvořák', 'Dvořáková'],
      ['Černý', 'Černá'], ['Procházka', 'Procházková'], ['Kučera', 'Kučerová'], ['Veselý', 'Veselá'],
      ['Horák', 'Horáková'], ['Němec', 'Němcová'], ['Marek', 'Marková'], ['Pospíšil', 'Pospíšilová'],
      ['Pokorný', 'Pokorná'], ['Hájek', 'Hájková'], ['Král', 'Králová'], ['Jelínek', 'Jelínková'],
      ['Růžička', 'Růžičková'], ['Beneš', 'Benešová'], ['Fiala', 'Fialová'], ['Sedláček', 'Sedláčková'],
      ['Doležal', 'Doležalová'], ['Zeman', 'Zemanová'], ['Kolář', 'Kolářová'], ['Navrátil', 'Navrátilová'],
      ['Čermák', 'Čermáková'], ['Vaněk', 'Vaňková'], ['Urban', 'Urbanová'], ['Blažek', 'Blažková'],
      ['Kříž', 'Křížová'], ['Kovář', 'Kovářová'],
    ],
  },
  SK: {
    male: ['Peter', 'Martin', 'Michal', 'Ján', 'Tomáš', 'Marek', 'Jozef', 'Lukáš', 'Juraj', 'Matej', 'Ľubomír', 'Štefan'],
    female: ['Mária', 'Zuzana', 'Katarína', 'Lucia', 'Jana', 'Eva', 'Monika', 'Andrea', 'Veronika', 'Ľudmila', 'Simona', 'Barbora'],
    surnames: [
      ['Horváth', 'Horváthová'], ['Kováč', 'Kováčová'], ['Varga', 'Vargová'], ['Tóth', 'Tóthová'],
      ['Nagy', 'Nagyová'], ['Baláž', 'Balážová'], ['Molnár', 'Molnárová'], ['Lukáč', 'Lukáčová'],
      ['Szabó', 'Szabóová'], ['Kráľ', 'Kráľová'], ['Novák', 'Nováková'], ['Polák', 'Poláková'],
      ['Šimko', 'Šimková'], ['Hudák', 'Hudáková'], ['Oravec', 'Oravcová'], ['Kollár', 'Kollárová'],
    ],
  },
};

/** [city, postal codes (as written, five digits)] — real codes of the city. */
export const CITIES: Record<Country, ReadonlyArray<readonly [string, readonly string[]]>> = {
  CZ: [
    ['Praha 1', ['11000']], ['Praha 4', ['14000', '14200']], ['Praha 10', ['10000', '10100']], ['Praha 6', ['16000', '16900']],
    ['Brno', ['60200', '61200', '62800']], ['Ostrava', ['70200', '70030']], ['Plzeň', ['30100', '32300']],
    ['Liberec', ['46001']], ['Olomouc', ['77900']], ['České Budějovice', ['37001']], ['Hradec Králové', ['50002', '50003']],
    ['Ústí nad Labem', ['40001']], ['Pardubice', ['53002']], ['Zlín', ['76001']], ['Jihlava', ['58601']],
    ['Kladno', ['27201']], ['Karlovy Vary', ['36001']], ['Opava', ['74601']], ['Frýdek-Místek', ['73801']],
    ['Teplice', ['41501']], ['Tábor', ['39001']], ['Kolín', ['28002']], ['Třebíč', ['67401']], ['Znojmo', ['66902']],
  ],
  SK: [
    ['Bratislava', ['81101', '82105', '85101']], ['Košice', ['04001', '04011']], ['Prešov', ['08001']],
    ['Žilina', ['01001', '01008']], ['Nitra', ['94901']], ['Banská Bystrica', ['97401']], ['Trnava', ['91701']],
    ['Martin', ['03601']], ['Trenčín', ['91101']], ['Poprad', ['05801']], ['Zvolen', ['96001']], ['Liptovský Mikuláš', ['03101']],
  ],
};

export const STREETS: Record<Country, readonly string[]> = {
  CZ: [
    'Husova', 'Masarykova', 'Palackého', 'Nádražní', 'Školní', 'Komenského', 'Smetanova', 'Žižkova', 'Jiráskova',
    'Tyršova', 'Sokolská', 'Lidická', 'Zahradní', 'Polní', 'Krátká', 'Dlouhá', 'Větrná', 'Lipová', 'U Parku',
    'Na Výsluní', 'Karla IV.', 'náměstí Míru', 'Revoluční', 'Havlíčkova', '28. října',
  ],
  SK: [
    'Hlavná', 'Štúrova', 'Hviezdoslavova', 'Mierová', 'Záhradná', 'SNP', 'Kollárova', 'Námestie slobody',
    'Slovenská', 'Jesenského', 'Obchodná', 'Bernolákova',
  ],
};

export const COMPANY_WORDS = [
  'ELEKTRO', 'Stavby', 'Truhlářství', 'Autodíly', 'Kadeřnictví', 'Účetnictví', 'Zahrady', 'Instalatérství',
  'Cukrárna', 'Velkoobchod', 'Reklama', 'Servis',
];
export const LEGAL_FORMS: Record<Country, readonly string[]> = {
  CZ: ['s.r.o.', 's.r.o.', 'spol. s r.o.', 'a.s.', 'v.o.s.'],
  SK: ['s.r.o.', 's.r.o.', 'a.s.', 'k.s.'],
};

export const NOTES = [
  'Prosím doručit odpoledne.',
  'Zvonek nefunguje, zavolejte prosím.',
  'Dárek – nepřikládejte prosím fakturu.',
  'Prosím zabalit jako dárek.',
  'Doručit do práce, recepce ve 2. patře.',
  'Pokud nebudu doma, nechte u sousedů (č. 12).',
  'Potřebuji do pátku, děkuji!',
];

export interface Method {
  id: number;
  name: string;
  /** gross price in haléř */
  price: number;
}

export const PAYMENTS: readonly Method[] = [
  { id: 1, name: 'Bankovním převodem', price: 0 },
  { id: 2, name: 'Dobírka', price: 3900 },
  { id: 3, name: 'Platba kartou online', price: 0 },
  { id: 4, name: 'GoPay', price: 0 },
];
export const PAYMENT_BANK = 1;
export const PAYMENT_COD = 2;

export const DELIVERIES: Record<Country, readonly Method[]> = {
  CZ: [
    { id: 1, name: 'GLS - ČR', price: 9900 },
    { id: 2, name: 'Zásilkovna - výdejní místo', price: 7900 },
    { id: 3, name: 'PPL - doručení na adresu', price: 11900 },
    { id: 4, name: 'Česká pošta - Balík Do ruky', price: 12990 },
    { id: 5, name: 'DPD', price: 10900 },
  ],
  SK: [
    { id: 6, name: 'GLS - SK', price: 14900 },
    { id: 7, name: 'Packeta - SK výdajné miesto', price: 11900 },
  ],
};
/** orders with goods for at least this much (haléř) ship free */
export const FREE_SHIPPING_FROM = 200_000;

export type VariantKind = 'size' | 'shoe' | 'color' | 'volume' | 'none';

export interface CatalogueProduct {
  name: string;
  /** gross price of the cheapest variant in haléř */
  price: number;
  vat: 21 | 12 | 0;
  variants: VariantKind;
}

/** A dropshipping assortment (fashion, home, electronics, sport, cosmetics, toys, books). */
export const CATALOGUE: readonly CatalogueProduct[] = [
  { name: 'Tričko Basic bavlněné', price: 29900, vat: 21, variants: 'size' },
  { name: 'Mikina s kapucí Oversize', price: 89900, vat: 21, variants: 'size' },
  { name: 'Dámské legíny Push-up', price: 44990, vat: 21, variants: 'size' },
  { name: 'Pánská softshellová bunda', price: 149900, vat: 21, variants: 'size' },
  { name: 'Tenisky Urban Walk', price: 119900, vat: 21, variants: 'shoe' },
  { name: 'Zimní čepice s bambulí', price: 24990, vat: 21, variants: 'color' },
  { name: 'Ponožky Bambus 5 párů', price: 19900, vat: 21, variants: 'shoe' },
  { name: 'Bluetooth reproduktor BoomBox Mini', price: 79900, vat: 21, variants: 'color' },
  { name: 'Bezdrátová sluchátka AirBeat', price: 59900, vat: 21, variants: 'color' },
  { name: 'Powerbanka 20000 mAh', price: 54900, vat: 21, variants: 'none' },
  { name: 'LED pásek RGB 5 m', price: 34990, vat: 21, variants: 'none' },
  { name: 'Chytré hodinky FitTime', price: 129900, vat: 21, variants: 'color' },
  { name: 'USB-C nabíječka 65 W', price: 49900, vat: 21, variants: 'none' },
  { name: 'Kávovar na kapsle Espresso One', price: 219000, vat: 21, variants: 'color' },
  { name: 'Teflonová pánev 28 cm', price: 64900, vat: 21, variants: 'none' },
  { name: 'Sada nožů Chef 5 ks', price: 99900, vat: 21, variants: 'none' },
  { name: 'Termohrnek Travel', price: 29990, vat: 21, variants: 'volume' },
  { name: 'Povlečení bavlněné 140×200', price: 69900, vat: 21, variants: 'color' },
  { name: 'Aromadifuzér s LED', price: 44900, vat: 21, variants: 'none' },
  { name: 'Robotický vysavač CleanBot', price: 499000, vat: 21, variants: 'none' },
  { name: 'Zahradní hadice 20 m', price: 39900, vat: 21, variants: 'none' },
  { name: 'Solární lampa do zahrady 4 ks', price: 29900, vat: 21, variants: 'none' },
  { name: 'Jóga podložka 6 mm', price: 49900, vat: 21, variants: 'color' },
  { name: 'Činky jednoruční 2× 5 kg', price: 89000, vat: 21, variants: 'none' },
  { name: 'Odporové gumy set 5 ks', price: 24900, vat: 21, variants: 'none' },
  { name: 'Cyklistická láhev 750 ml', price: 14990, vat: 21, variants: 'color' },
  { name: 'Proteinová tyčinka 12× 60 g', price: 35900, vat: 12, variants: 'none' },
  { name: 'Kolagen v prášku 300 g', price: 59900, vat: 12, variants: 'none' },
  { name: 'Pleťové sérum s vitamínem C', price: 39900, vat: 21, variants: 'volume' },
  { name: 'Sprchový gel Aloe 500 ml', price: 8990, vat: 21, variants: 'none' },
  { name: 'Elektrický zubní kartáček Sonic', price: 99900, vat: 21, variants: 'color' },
  { name: 'Stavebnice Kostky 500 dílků', price: 59900, vat: 21, variants: 'none' },
  { name: 'Plyšový medvěd 60 cm', price: 49900, vat: 21, variants: 'color' },
  { name: 'Dřevěné puzzle Zvířátka', price: 19900, vat: 21, variants: 'none' },
  { name: 'Kniha Vaříme zdravě', price: 34900, vat: 0, variants: 'none' },
  { name: 'Dětská autosedačka 9–36 kg', price: 249000, vat: 21, variants: 'color' },
  { name: 'Pelíšek pro psa', price: 69900, vat: 21, variants: 'size' },
  { name: 'Granule pro psy 12 kg', price: 119000, vat: 12, variants: 'none' },
  { name: 'Batoh městský 25 l', price: 89900, vat: 21, variants: 'color' },
  { name: 'Sluneční brýle polarizační', price: 39900, vat: 21, variants: 'none' },
];

export const VARIANT_VALUES: Record<Exclude<VariantKind, 'none'>, { parameter: string; values: readonly string[]; step: number }> = {
  size: { parameter: 'Velikost', values: ['S', 'M', 'L', 'XL', 'XXL'], step: 0 },
  shoe: { parameter: 'Velikost', values: ['39', '40', '41', '42', '43', '44'], step: 0 },
  color: { parameter: 'Barva', values: ['Černá', 'Bílá', 'Modrá', 'Červená', 'Šedá'], step: 0 },
  volume: { parameter: 'Objem', values: ['350 ml', '500 ml'], step: 5000 },
};

export const SOURCES: readonly (string | null)[] = [null, null, null, null, 'Heureka', 'Heureka', 'Google', 'Google', 'Zboží.cz', 'Facebook'];
export const DEVICES: readonly string[] = ['desktop', 'desktop', 'desktop', 'desktop', 'desktop', 'desktop', 'phone', 'phone', 'phone', 'phone', 'phone', 'tablet'];

export interface ShopSeed {
  id: number;
  name: string;
  url: string;
  subname: string;
  description: string;
  keywords: string;
  company: string;
  street: string;
  city: string;
  zipcode: number;
  country: string;
  /** share of Slovak customers, in percent */
  skShare: number;
}

export const SHOPS: readonly ShopSeed[] = [
  {
    id: 123456, name: 'Módní ráj', url: 'modniraj.cz', subname: 'Oblečení a doplňky za skvělé ceny',
    description: 'Móda pro celou rodinu s doručením do 3 dnů.', keywords: 'móda, oblečení, trička, mikiny',
    company: 'Petra Dvořáková', street: 'Nádražní 1024', city: 'Kolín', zipcode: 28002, country: 'Česká republika', skShare: 8,
  },
  {
    id: 123457, name: 'Dům a zahrada Plus', url: 'dumazahradaplus.cz', subname: 'Vše pro domov',
    description: 'Potřeby pro domácnost, kuchyň a zahradu.', keywords: 'domácnost, kuchyň, zahrada',
    company: 'DZ Plus s.r.o.', street: 'Husova 15', city: 'Brno', zipcode: 60200, country: 'Česká republika', skShare: 5,
  },
  {
    id: 223001, name: 'Športový svet', url: 'sportovysvet.sk', subname: 'Šport a zdravý životný štýl',
    description: 'Športové potreby a doplnky výživy.', keywords: 'šport, fitness, výživa',
    company: 'Športový svet s.r.o.', street: 'Hlavná 8', city: 'Žilina', zipcode: 1001, country: 'Slovenská republika', skShare: 85,
  },
  {
    id: 223002, name: 'Hračky Kulička', url: 'hrackykulicka.cz', subname: 'Hračky a dětské potřeby',
    description: 'Hračky, stavebnice a potřeby pro děti.', keywords: 'hračky, děti, stavebnice',
    company: 'Kulička s.r.o.', street: 'Palackého 3', city: 'Olomouc', zipcode: 77900, country: 'Česká republika', skShare: 10,
  },
  {
    id: 223003, name: 'Elektro Vlna', url: 'elektrovlna.cz', subname: 'Elektronika levně',
    description: 'Sluchátka, reproduktory, nabíječky a chytrá elektronika.', keywords: 'elektronika, sluchátka',
    company: 'Vlna Trade s.r.o.', street: 'Jiráskova 40', city: 'Pardubice', zipcode: 53002, country: 'Česká republika', skShare: 10,
  },
];
