/**
 * Word lists for the generator: Czech and Slovak names, real cities with real postal codes, streets,
 * a small catalogue of goods a marketplace supplier sells on Alza (EAN-13 with valid check digits,
 * prices with VAT in CZK and EUR), and the carriers of Alza's carrier list.
 */

export const CZ_FIRST = ['Jan', 'Petr', 'Jiří', 'Pavel', 'Martin', 'Tomáš', 'Jaroslav', 'Miroslav', 'Lukáš', 'Jakub', 'Ondřej', 'Vojtěch', 'David', 'Michal', 'Marie', 'Jana', 'Eva', 'Hana', 'Lucie', 'Kateřina', 'Tereza', 'Veronika', 'Petra', 'Alena', 'Zuzana', 'Barbora'];
export const CZ_LAST_M = ['Novák', 'Svoboda', 'Novotný', 'Dvořák', 'Černý', 'Procházka', 'Kučera', 'Veselý', 'Horák', 'Němec', 'Pokorný', 'Marek', 'Pospíšil', 'Hájek', 'Král', 'Jelínek', 'Růžička', 'Beneš', 'Fiala', 'Sedláček'];
export const CZ_LAST_F = ['Nováková', 'Svobodová', 'Novotná', 'Dvořáková', 'Černá', 'Procházková', 'Kučerová', 'Veselá', 'Horáková', 'Němcová', 'Pokorná', 'Marková', 'Pospíšilová', 'Hájková', 'Králová', 'Jelínková', 'Růžičková', 'Benešová', 'Fialová', 'Sedláčková'];
export const CZ_FEMALE = new Set(['Marie', 'Jana', 'Eva', 'Hana', 'Lucie', 'Kateřina', 'Tereza', 'Veronika', 'Petra', 'Alena', 'Zuzana', 'Barbora']);

export const SK_FIRST = ['Peter', 'Martin', 'Jozef', 'Ján', 'Michal', 'Marek', 'Tomáš', 'Lukáš', 'Mária', 'Zuzana', 'Katarína', 'Jana', 'Lucia', 'Monika'];
export const SK_LAST_M = ['Horváth', 'Kováč', 'Varga', 'Tóth', 'Nagy', 'Baláž', 'Szabó', 'Molnár', 'Lukáč', 'Šimko'];
export const SK_LAST_F = ['Horváthová', 'Kováčová', 'Vargová', 'Tóthová', 'Nagyová', 'Balážová', 'Szabová', 'Molnárová', 'Lukáčová', 'Šimková'];
export const SK_FEMALE = new Set(['Mária', 'Zuzana', 'Katarína', 'Jana', 'Lucia', 'Monika']);

/** [city, postal codes (no spaces, as Alza sends zips)] */
export const CZ_CITIES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Praha', ['11000', '12000', '13000', '14000', '15000', '16000', '17000', '18000', '19000']],
  ['Brno', ['60200', '61200', '61500', '62300', '63800']],
  ['Ostrava', ['70200', '70800', '70030']],
  ['Plzeň', ['30100', '32300', '32600']],
  ['Liberec', ['46001', '46006']],
  ['Olomouc', ['77900', '77200']],
  ['České Budějovice', ['37001', '37005']],
  ['Hradec Králové', ['50002', '50003']],
  ['Pardubice', ['53002', '53003']],
  ['Zlín', ['76001', '76005']],
  ['Kladno', ['27201']],
  ['Jihlava', ['58601']],
];
export const SK_CITIES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Bratislava', ['81101', '82105', '83104', '84101', '85101']],
  ['Košice', ['04001', '04011']],
  ['Žilina', ['01001']],
  ['Nitra', ['94901']],
  ['Banská Bystrica', ['97401']],
  ['Trnava', ['91701']],
];
export const CZ_STREETS = ['Vinohradská', 'Národní', 'Masarykova', 'Palackého', 'Husova', 'Nádražní', 'Komenského', 'Jiráskova', 'Sokolská', 'Školní', 'Zahradní', 'Polní', 'Lidická', 'Riegrova', 'Tyršova', 'Havlíčkova'];
export const SK_STREETS = ['Hlavná', 'Štúrova', 'Obchodná', 'Mlynská', 'Hviezdoslavova', 'Záhradnícka', 'Kmeťova', 'Dlhá'];
export const EMAIL_DOMAINS_CZ = ['seznam.cz', 'email.cz', 'gmail.com', 'centrum.cz', 'post.cz', 'volny.cz'];
export const EMAIL_DOMAINS_SK = ['gmail.com', 'azet.sk', 'centrum.sk', 'zoznam.sk'];
export const COMPANY_NAMES = ['Stavby Novák s.r.o.', 'DATAPRO a.s.', 'Kavárna U Mostu s.r.o.', 'Autoservis Dvořák', 'Účetnictví Hájek s.r.o.', 'ELEKTRO-MONT spol. s r.o.', 'Zahradnictví Fiala'];

/** [name, supplier code, Alza code, price CZK with VAT (haléře), price EUR with VAT (cents), VAT CZ, VAT SK] */
export const CATALOGUE: ReadonlyArray<readonly [string, string, string, number, number, number, number]> = [
  ['Nabíječka do sítě USB-C 65W GaN, bílá', 'NB-65W-GAN', 'NABA0651', 89900, 3590, 21, 23],
  ['Kabel USB-C na USB-C 2m, 100W, opletený', 'KB-CC-2M', 'KABC0200', 29900, 1190, 21, 23],
  ['Powerbanka 20000 mAh, PD 22,5W, černá', 'PB-20K-PD', 'PWRB2000', 79900, 3190, 21, 23],
  ['Bezdrátová myš ergonomická, 2,4 GHz', 'MY-ERGO-24', 'MYSE2400', 54900, 2190, 21, 23],
  ['Klávesnice mechanická, CZ/SK layout, RGB', 'KL-MECH-CZ', 'KLAV0RGB', 189900, 7590, 21, 23],
  ['Sluchátka bezdrátová s ANC, černá', 'SL-ANC-BK', 'SLUC0ANC', 249000, 9990, 21, 23],
  ['Monitorový držák pro 2 monitory 17–32"', 'DR-MON-2', 'DRZM0032', 119900, 4790, 21, 23],
  ['Stolní lampa LED stmívatelná', 'LA-LED-DIM', 'LAMP0DIM', 69900, 2790, 21, 23],
  ['Rychlovarná konvice 1,7 l, nerez', 'KV-17-NRZ', 'KONV0170', 74900, 2990, 21, 23],
  ['Kávovar na kapsle, červený', 'KA-KAPS-RD', 'KAVO0KRD', 299000, 11990, 21, 23],
  ['Filtr do čističky vzduchu HEPA H13', 'FI-HEPA-13', 'FILT0H13', 64900, 2590, 21, 23],
  ['Dětská kniha „Pohádky na dobrou noc“', 'KN-POH-01', 'KNIH0POH', 29900, 1290, 12, 5],
  ['Kuchařka „Česká kuchyně“, vázaná', 'KN-KUCH-CZ', 'KNIH0KUC', 49900, 1990, 12, 5],
  ['SSD disk 1 TB NVMe PCIe 4.0', 'SSD-1TB-N4', 'SSDN1TB4', 159900, 6390, 21, 23],
  ['Router Wi-Fi 6 AX3000', 'RT-AX3000', 'ROUT3000', 219900, 8790, 21, 23],
  ['Webkamera Full HD s mikrofonem', 'WC-FHD-MIC', 'WEBK0FHD', 99900, 3990, 21, 23],
  ['Baterie AA alkalické, 24 ks', 'BA-AA-24', 'BATR0A24', 34900, 1390, 21, 23],
  ['Chytrá zásuvka Wi-Fi s měřením spotřeby', 'ZS-WIFI-M', 'ZASU0WIF', 39900, 1590, 21, 23],
];

/** [carrier code, delivery type] by market, from Alza's carrier list (Drop API enums). */
export const CZ_CARRIERS: ReadonlyArray<readonly [string, string]> = [
  ['PPL', 'PPL'],
  ['PPL', 'PPLPARCELSHOP'],
  ['ALZA', 'ALZABOX'],
  ['ALZA', 'ALZABRANCH'],
  ['ZASILKOVNA', 'ZASILKOVNA'],
  ['CZPOST', 'CZPOSTB'],
  ['DPD', 'DPDPARCELSHOP'],
  ['GLS', 'GLS'],
];
export const SK_CARRIERS: ReadonlyArray<readonly [string, string]> = [
  ['SKPOST', 'SKPOSTD'],
  ['DPDSK', 'DPDSK'],
  ['ALZA', 'ALZABOX'],
  ['PPL', 'PPL'],
];

/** EAN-13 with its check digit, from 12 digits. */
export function ean13(twelve: string): string {
  let sum = 0;
  for (let k = 0; k < 12; k++) sum += Number(twelve[k]) * (k % 2 === 0 ? 1 : 3);
  return twelve + String((10 - (sum % 10)) % 10);
}

/** "Jiří Dvořák" → "jiri.dvorak" */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '');
}
