#!/usr/bin/env node
// Generates the built-in Named Fields definitions (src/Hl7Mllp/Validation/Definitions/*.json)
// from the MIT-licensed npm package hl7-dictionary. See README.md in this folder.
//
// Usage: node generate.js <path to node_modules/hl7-dictionary> [output folder]
'use strict';

const fs = require('fs');
const path = require('path');

const VERSIONS = ['2.3', '2.5.1', '2.7'];

// Primitive types the validator knows; anything else with components is a composite.
const PRIMITIVES = new Set(['ST', 'TX', 'FT', 'NM', 'SI', 'DT', 'DTM', 'TM', 'ID', 'IS', 'GTS', 'VARIES']);

// hl7-dictionary version 2.3 defines TS as one ST component; the standard defines TS as
// DTM ^ degree of precision (table 0529) in every version, so every definition uses that.
const TIME_STAMP = [
    { name: 'Time', type: 'DTM', len: 24 },
    { name: 'Degree of Precision', type: 'ID', len: 1, table: '0529' },
];

// Tables left out of every definition, because they are open by design and a fixed list rejects
// conforming messages: 0396 (coding system: local systems are 99zzz or L, and HL7nnnn exists for
// every HL7 table) and 0291 (ED data subtype: any MIME subtype).
const EXCLUDED_TABLES = new Set(['0291', '0396']);

// The package keeps one set of tables for every version, taken from a late one. Values earlier
// versions allow and the set lacks are added back, so conforming older messages pass.
const TABLE_ADDITIONS = {
    '0104': ['2.0', '2.0D', '2.1', '2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.1', '2.8.2', '2.9'],
    '0125': ['CE', 'CM', 'TS'],
};

function tableId(table) {
    return String(table).padStart(4, '0');
}

// Only what validation needs: names, type, required, repetitions, length, and the table of
// HL7-defined (ID) values. User-defined (IS) tables are left out: their values are local.
function element(source, withRepetitions) {
    const result = { name: source.desc || '', type: (source.datatype || '').toUpperCase() };
    if (withRepetitions && source.opt === 2) {
        result.req = true;
    }
    // The package's 2.5.1 OBX-2 has rep = its table number (125); the standard says 1.
    const rep = source.rep > 1 && source.rep === source.table ? 1 : source.rep;
    if (withRepetitions && rep !== 1 && rep !== undefined) {
        result.rep = rep;
    }
    if (source.len) {
        // Value types (table 0125) such as CWE have three letters; v2.5.1 lists OBX-2 with length 2
        // (corrected to 3 in v2.6).
        result.len = source.table === 125 ? Math.max(source.len, 3) : source.len;
    }
    if (source.table !== undefined && result.type === 'ID' && !EXCLUDED_TABLES.has(tableId(source.table))) {
        result.table = tableId(source.table);
    }
    return result;
}

function build(dictionary, version) {
    const definition = dictionary.definitions[version];
    const usedTypes = new Set();
    const usedTables = new Set();

    const segments = {};
    for (const id of Object.keys(definition.segments).sort()) {
        const fields = definition.segments[id].fields.map((f) => element(f, true));
        fields.forEach((f) => { usedTypes.add(f.type); if (f.table) { usedTables.add(f.table); } });
        segments[id] = { name: definition.segments[id].desc || '', fields };
    }

    // Composite types reached from fields, and from their components (one level: ER7 has only
    // components and subcomponents).
    const dataTypes = {};
    const addType = (type, depth) => {
        if (PRIMITIVES.has(type) || dataTypes[type] || depth > 1) {
            return;
        }
        let components;
        if (type === 'TS') {
            components = TIME_STAMP;
        } else {
            const source = definition.fields[type];
            if (!source || !source.subfields || source.subfields.length === 0) {
                return;
            }
            components = source.subfields.map((c) => element(c, false));
        }
        dataTypes[type] = components;
        for (const c of components) {
            if (c.table) {
                usedTables.add(c.table);
            }
            addType(c.type, depth + 1);
        }
    };
    [...usedTypes].sort().forEach((t) => addType(t, 0));

    const tables = {};
    for (const id of [...usedTables].sort()) {
        const source = dictionary.tables[String(Number(id))];
        if (!source || !source.values) {
            continue;
        }
        const values = new Set([...Object.keys(source.values), ...(TABLE_ADDITIONS[id] || [])]);
        tables[id] = [...values].sort();
    }

    const sortedTypes = {};
    Object.keys(dataTypes).sort().forEach((t) => { sortedTypes[t] = dataTypes[t]; });
    return { version, source: `hl7-dictionary ${dictionary.packageVersion}`, segments, dataTypes: sortedTypes, tables };
}

function main() {
    const packageDir = process.argv[2];
    if (!packageDir) {
        console.error('usage: node generate.js <path to node_modules/hl7-dictionary> [output folder]');
        process.exit(2);
    }
    const outDir = process.argv[3] || path.join(__dirname, '..', '..', 'src', 'Hl7Mllp', 'Validation', 'Definitions');
    const dictionary = require(path.resolve(packageDir));
    dictionary.packageVersion = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
    fs.mkdirSync(outDir, { recursive: true });
    for (const version of VERSIONS) {
        const file = path.join(outDir, `hl7-v${version}.json`);
        fs.writeFileSync(file, JSON.stringify(build(dictionary, version)) + '\n');
        console.log(`${file}: ${fs.statSync(file).size} bytes`);
    }
}

main();
