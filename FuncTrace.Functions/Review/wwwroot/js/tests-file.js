// Tests for an eval run from what a person has at hand: a JSON array, JSONL, or CSV with an id,text header.

/** Parses `text` (from the box or a file named `name`) into [{id, text}]; throws an Error that says what is wrong. */
export function parseTests(text, name = '') {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('There are no tests: paste a JSON array or choose a CSV or JSONL file.');
  if (/\.csv$/i.test(name) || (!/^[[{]/.test(trimmed))) return fromCsv(trimmed);
  if (trimmed.startsWith('[')) return checked(parseJson(trimmed, 'The tests are not valid JSON'));
  if (trimmed.startsWith('{') && !trimmed.includes('\n')) {
    const single = parseJson(trimmed, 'The tests are not valid JSON');
    return checked(Array.isArray(single.tests) ? single.tests : [single]);
  }
  try {
    const whole = JSON.parse(trimmed);
    if (Array.isArray(whole?.tests)) return checked(whole.tests);
  } catch {
    // Not one JSON document: JSON Lines.
  }
  return checked(trimmed.split(/\r?\n/).filter((line) => line.trim() !== '')
    .map((line, i) => parseJson(line, `Line ${i + 1} is not valid JSON`)));
}

function parseJson(text, message) {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${message}: ${error.message}`);
  }
}

function checked(tests) {
  if (!Array.isArray(tests) || tests.length === 0) throw new Error('There are no tests.');
  return tests.map((test, i) => {
    const id = typeof test?.id === 'string' && /^\d+$/.test(test.id.trim()) ? Number(test.id.trim()) : test?.id;
    if (!Number.isSafeInteger(id) || id < 1) throw new Error(`Test ${i + 1}: "id" must be a positive whole number.`);
    if (typeof test.text !== 'string' || test.text.trim() === '') throw new Error(`Test ${i + 1} (id ${id}): "text" must be a non-empty string.`);
    return { id, text: test.text };
  });
}

function fromCsv(text) {
  const rows = csvRows(text);
  const header = (rows.shift() ?? []).map((cell) => cell.trim().toLowerCase());
  const idColumn = header.indexOf('id');
  const textColumn = header.indexOf('text');
  if (idColumn < 0 || textColumn < 0) throw new Error('The CSV needs a header row with "id" and "text" columns.');
  return checked(rows.filter((row) => row.some((cell) => cell.trim() !== ''))
    .map((row) => ({ id: row[idColumn], text: row[textColumn] })));
}

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and line breaks. */
export function csvRows(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  row.push(cell);
  rows.push(row);
  return rows;
}

/** One CSV field, quoted when it must be; a leading =, +, - or @ is defused so a spreadsheet shows it as text. */
export function csvField(value) {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value !== 'number') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
