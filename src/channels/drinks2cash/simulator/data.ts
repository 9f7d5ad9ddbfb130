/**
 * Word lists for the generator: Polish first/last names, company name parts, streets, cities with real
 * postal codes, and a drinks catalogue (EAN-13 with valid check digits computed at load time, net
 * unit prices in grosze, VAT 23 % for alcohol and 8 % for soft drinks/water).
 */

export const FIRST_NAMES = [
  'Jan', 'Piotr', 'Krzysztof', 'Andrzej', 'Tomasz', 'Paweł', 'Michał', 'Marcin', 'Łukasz', 'Grzegorz',
  'Marek', 'Adam', 'Wojciech', 'Mateusz', 'Zbigniew', 'Jerzy', 'Dariusz', 'Rafał', 'Jakub', 'Kamil',
  'Anna', 'Katarzyna', 'Małgorzata', 'Agnieszka', 'Barbara', 'Ewa', 'Krystyna', 'Magdalena', 'Elżbieta',
  'Joanna', 'Aleksandra', 'Monika', 'Zofia', 'Teresa', 'Danuta', 'Natalia', 'Karolina', 'Justyna', 'Beata',
  'Dorota', 'Grażyna', 'Bożena', 'Jadwiga', 'Sławomir', 'Przemysław',
];

export const LAST_NAMES = [
  'Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński',
  'Szymański', 'Woźniak', 'Dąbrowski', 'Kozłowski', 'Jankowski', 'Mazur', 'Kwiatkowski', 'Krawczyk',
  'Piotrowski', 'Grabowski', 'Nowakowski', 'Pawłowski', 'Michalski', 'Nowicki', 'Adamczyk', 'Dudek',
  'Zając', 'Wieczorek', 'Jabłoński', 'Król', 'Majewski', 'Olszewski', 'Jaworski', 'Wróbel', 'Malinowski',
  'Pawlak', 'Witkowski', 'Walczak', 'Stępień', 'Górski', 'Rutkowski', 'Michalak', 'Sikora', 'Ostrowski',
  'Baran', 'Duda', 'Szewczyk', 'Tomaszewski', 'Pietrzak', 'Marciniak', 'Wróblewski', 'Zalewski',
];

/** Feminine form of a Polish surname ("Kowalski" → "Kowalska"). */
export function feminine(lastName: string): string {
  if (lastName.endsWith('ski')) return `${lastName.slice(0, -3)}ska`;
  if (lastName.endsWith('cki')) return `${lastName.slice(0, -3)}cka`;
  if (lastName.endsWith('dzki')) return `${lastName.slice(0, -4)}dzka`;
  return lastName;
}

export const FEMININE_FIRST_NAMES = new Set([
  'Anna', 'Katarzyna', 'Małgorzata', 'Agnieszka', 'Barbara', 'Ewa', 'Krystyna', 'Magdalena', 'Elżbieta',
  'Joanna', 'Aleksandra', 'Monika', 'Zofia', 'Teresa', 'Danuta', 'Natalia', 'Karolina', 'Justyna', 'Beata',
  'Dorota', 'Grażyna', 'Bożena', 'Jadwiga',
]);

export const BUSINESS_KINDS = [
  'Hurtownia Napojów', 'Sklep Spożywczy', 'Delikatesy', 'Market', 'Pub', 'Restauracja', 'Hotel', 'Bar',
  'Sklep Monopolowy', 'Kawiarnia', 'Winiarnia', 'Stacja Paliw', 'Catering', 'Pizzeria', 'Klub',
];

export const BUSINESS_NAMES = [
  'Pod Lipami', 'Wisła', 'Bursztyn', 'Mazowsze', 'Kasztelan', 'Złota Rybka', 'Stary Młyn', 'U Zbyszka',
  'Pod Kogutem', 'Smakosz', 'Biedronka', 'Społem', 'Kaprys', 'Rubin', 'Oaza', 'Jantar', 'Sezam',
  'Fortuna', 'Gracja', 'Pod Arkadami', 'Na Rogu', 'Centrum', 'Marysieńka', 'Sokół', 'Piast', 'Baltic',
  'Kopernik', 'Starówka', 'Zacisze', 'Mewa',
];

export const LEGAL_FORMS = ['Sp. z o.o.', 'S.C.', 'Sp. j.', 'Sp. k.', 'S.A.'];

export const STREETS = [
  'ul. Szeroka', 'ul. Mickiewicza', 'ul. Słowackiego', 'ul. Kościuszki', 'ul. Sienkiewicza', 'ul. Polna',
  'ul. Lipowa', 'ul. Leśna', 'ul. Ogrodowa', 'ul. Kolejowa', 'ul. Kwiatowa', 'ul. Szkolna', 'ul. Długa',
  'ul. Krótka', 'ul. Chełmińska', 'ul. Żeglarska', 'ul. Piłsudskiego', 'ul. Wojska Polskiego',
  'ul. 3 Maja', 'ul. Grunwaldzka', 'al. Jana Pawła II', 'al. Solidarności', 'ul. Rynek', 'ul. Podgórna',
  'ul. Łokietka', 'ul. Bydgoska', 'ul. Królowej Jadwigi', 'ul. Żwirki i Wigury', 'os. Słoneczne',
  'pl. Wolności',
];

/** City, real postal codes in it. */
export const CITIES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Toruń', ['87-100', '87-105', '87-118']],
  ['Warszawa', ['00-001', '00-950', '02-495', '01-233', '03-982']],
  ['Kraków', ['30-001', '31-042', '30-363']],
  ['Gdańsk', ['80-001', '80-831', '80-180']],
  ['Gdynia', ['81-301', '81-537']],
  ['Sopot', ['81-701']],
  ['Poznań', ['60-001', '61-131', '60-689']],
  ['Wrocław', ['50-001', '53-332', '54-130']],
  ['Łódź', ['90-001', '91-065', '93-552']],
  ['Bydgoszcz', ['85-001', '85-792', '85-066']],
  ['Lublin', ['20-001', '20-601']],
  ['Katowice', ['40-001', '40-086']],
  ['Szczecin', ['70-001', '71-460']],
  ['Olsztyn', ['10-001', '10-686']],
  ['Białystok', ['15-001', '15-277']],
  ['Rzeszów', ['35-001', '35-326']],
  ['Kielce', ['25-001', '25-369']],
  ['Opole', ['45-001', '45-273']],
  ['Zielona Góra', ['65-001', '65-417']],
  ['Gorzów Wielkopolski', ['66-400']],
  ['Płock', ['09-400', '09-410']],
  ['Elbląg', ['82-300']],
  ['Tarnów', ['33-100']],
  ['Radom', ['26-600', '26-610']],
  ['Częstochowa', ['42-200', '42-217']],
  ['Gliwice', ['44-100']],
  ['Zabrze', ['41-800']],
  ['Koszalin', ['75-001', '75-016']],
  ['Włocławek', ['87-800']],
  ['Grudziądz', ['86-300']],
  ['Inowrocław', ['88-100']],
  ['Chełmża', ['87-140']],
  ['Zakopane', ['34-500']],
  ['Nowy Sącz', ['33-300']],
  ['Suwałki', ['16-400']],
];

/** [name, net unit price in grosze, VAT %, units per pack]; EANs and offer ids are derived by the generator. */
export type CatalogueEntry = readonly [name: string, priceGrosze: number, vat: number, pack: number];

export const CATALOGUE: readonly CatalogueEntry[] = [
  ['Wódka Żubr Cytrynowy 25% 200 ml', 581, 23, 1],
  ['Whisky Jack Daniel\'s 40% 700 ml', 5211, 23, 1],
  ['Wódka Żubrówka Biała 37,5% 500 ml', 1789, 23, 1],
  ['Wódka Żubrówka Bison Grass 37,5% 700 ml', 2854, 23, 1],
  ['Wódka Wyborowa 40% 500 ml', 2032, 23, 1],
  ['Wódka Wyborowa 40% 1 l', 3868, 23, 1],
  ['Wódka Soplica Wiśniowa 28% 500 ml', 1735, 23, 1],
  ['Wódka Soplica Pigwowa 32% 200 ml', 799, 23, 1],
  ['Wódka Pan Tadeusz 40% 700 ml', 2720, 23, 1],
  ['Wódka Sobieski 40% 500 ml', 1869, 23, 1],
  ['Wódka Krupnik 38% 500 ml', 1625, 23, 1],
  ['Wódka Luksusowa 40% 700 ml', 2495, 23, 1],
  ['Wódka Stock Prestige 40% 500 ml', 1950, 23, 1],
  ['Wódka Finlandia 40% 500 ml', 2380, 23, 1],
  ['Gin Lubuski 37,5% 500 ml', 2115, 23, 1],
  ['Gin Bombay Sapphire 40% 700 ml', 6190, 23, 1],
  ['Whisky Ballantine\'s Finest 40% 700 ml', 4433, 23, 1],
  ['Whisky Johnnie Walker Red Label 40% 700 ml', 4876, 23, 1],
  ['Whisky Jameson 40% 700 ml', 5490, 23, 1],
  ['Whisky Grant\'s 40% 1 l', 6150, 23, 1],
  ['Rum Bacardi Carta Blanca 37,5% 700 ml', 4290, 23, 1],
  ['Rum Captain Morgan Spiced Gold 35% 700 ml', 4680, 23, 1],
  ['Brandy Metaxa 5* 38% 700 ml', 5960, 23, 1],
  ['Likier Jägermeister 35% 700 ml', 5610, 23, 1],
  ['Nalewka Babuni Wiśniowa 25% 500 ml', 1490, 23, 1],
  ['Wino Carlo Rossi Red 0,75 l', 1585, 23, 1],
  ['Wino Fresco Białe Półsłodkie 0,75 l', 1138, 23, 1],
  ['Wino Sophia Merlot Czerwone Wytrawne 0,75 l', 1870, 23, 1],
  ['Wino musujące Dorato Bianco 0,75 l', 1219, 23, 1],
  ['Szampan Moët & Chandon Brut Impérial 0,75 l', 19990, 23, 1],
  ['Piwo Tyskie Gronie 5,2% 500 ml puszka', 289, 23, 24],
  ['Piwo Żywiec Jasne 5,6% 500 ml butelka', 329, 23, 20],
  ['Piwo Lech Premium 5,2% 500 ml puszka', 285, 23, 24],
  ['Piwo Okocim Mocne 7% 500 ml puszka', 299, 23, 24],
  ['Piwo Warka Strong 6,5% 500 ml puszka', 276, 23, 24],
  ['Piwo Perła Chmielowa 6% 500 ml butelka', 315, 23, 20],
  ['Piwo Książęce Złote Pszeniczne 4,9% 500 ml', 362, 23, 20],
  ['Piwo Tatra Jasne Pełne 6% 500 ml puszka', 249, 23, 24],
  ['Piwo Żywiec 0,0% 500 ml butelka', 299, 23, 20],
  ['Cydr Dobronocki Jabłkowy 4,5% 400 ml', 445, 23, 12],
  ['Woda Żywiec Zdrój Niegazowana 1,5 l', 156, 8, 6],
  ['Woda Cisowianka Perlage Lekko Gazowana 0,7 l', 229, 8, 6],
  ['Woda Muszynianka Wysokozmineralizowana 1,5 l', 259, 8, 6],
  ['Woda Nałęczowianka Gazowana 1,5 l', 179, 8, 6],
  ['Woda Kropla Beskidu Niegazowana 0,5 l', 119, 8, 12],
  ['Napój Coca-Cola 0,85 l', 389, 8, 12],
  ['Napój Pepsi 1,5 l', 449, 8, 6],
  ['Napój Tymbark Jabłko-Mięta 0,5 l', 299, 8, 12],
  ['Sok Hortex Pomarańcza 100% 1 l', 549, 8, 12],
  ['Sok Tymbark Jabłko 100% 1 l', 459, 8, 12],
  ['Napój energetyczny Tiger 250 ml', 219, 8, 24],
  ['Napój energetyczny Red Bull 250 ml', 469, 8, 24],
  ['Napój Oranżada Hellena Czerwona 1,25 l', 279, 8, 6],
  ['Napój izotoniczny Oshee Multifruit 0,75 l', 399, 8, 6],
  ['Tonik Kinley 1 l', 419, 8, 6],
];

/** EAN-13 check digit for 12 leading digits. */
export function ean13(first12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (first12.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return first12 + String((10 - (sum % 10)) % 10);
}

/** Polish NIP check digit (weights 6 5 7 2 3 4 5 6 7); null when the 9 digits give 10 (invalid). */
export function nipCheck(first9: string): string | null {
  const w = [6, 5, 7, 2, 3, 4, 5, 6, 7];
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (first9.charCodeAt(i) - 48) * w[i]!;
  const c = sum % 11;
  return c === 10 ? null : String(c);
}

/** "Złota Rybka" → "zlotarybka" (for e-mail domains). */
export function slug(text: string): string {
  const map: Record<string, string> = { ą: 'a', ć: 'c', ę: 'e', ł: 'l', ń: 'n', ó: 'o', ś: 's', ź: 'z', ż: 'z', ä: 'a' };
  return text
    .toLowerCase()
    .replace(/[ąćęłńóśźżä]/g, (c) => map[c] ?? c)
    .replace(/[^a-z0-9]+/g, '');
}

export const EMAIL_DOMAINS = ['gmail.com', 'wp.pl', 'onet.pl', 'o2.pl', 'interia.pl', 'op.pl'];
