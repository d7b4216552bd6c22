import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readBatchInput } from '../../src/rest/batch.js';
import {
  type BatchState,
  emptyBatchState,
  phpBool,
  resolveElement,
  splitCommand,
  substituteReferences,
} from '../../src/rest/batch-references.js';
import { type ParamTree, parsePhpQuery } from '../../src/wire/php-params.js';

/** The state after `add` (15), `list` (a list page with next/total), `get` (an object) and a failed `bad`. */
function sampleState(): BatchState {
  const state = emptyBatchState();
  state.result.set('add', 15);
  state.result.set('list', [
    { ID: '3', LINE_NAME: 'First' },
    { ID: '4', LINE_NAME: 'Second', QUEUE: ['1', '7'] },
  ]);
  state.result.set('get', { ID: '15', LINE_NAME: 'Support line', ACTIVE: 'Y', EMPTY: null, FLAG: true });
  state.result.set('0', 'zero');
  state.next.set('list', 50);
  state.total.set('list', 120);
  state.time.set('add', { start: 1795473544.049, duration: 0.013 });
  state.error.set('bad', { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
  return state;
}

describe('batch: halt is cast as PHP casts to bool', () => {
  const cases: [unknown, boolean][] = [
    [undefined, false],
    [null, false],
    [false, false],
    [true, true],
    [0, false],
    [1, true],
    [0.0, false],
    [-1, true],
    ['', false],
    ['0', false],
    ['1', true],
    ['false', true],
    ['true', true],
    ['00', true],
    [' ', true],
    [[], false],
    [['0'], true],
    [{}, false],
    [{ a: '' }, true],
  ];
  for (const [value, expected] of cases) {
    it(`phpBool(${JSON.stringify(value) ?? 'undefined'}) is ${expected}`, () => {
      assert.equal(phpBool(value), expected);
    });
  }
});

describe('batch: a command splits as parse_url does', () => {
  it('method before the first ?, query after it', () => {
    assert.deepEqual(splitCommand('imopenlines.config.get?CONFIG_ID=15'), {
      method: 'imopenlines.config.get',
      query: 'CONFIG_ID=15',
    });
    assert.deepEqual(splitCommand('imopenlines.config.list.get?'), {
      method: 'imopenlines.config.list.get',
      query: '',
    });
    assert.deepEqual(splitCommand('imopenlines.config.list.get'), { method: 'imopenlines.config.list.get', query: '' });
    assert.deepEqual(splitCommand('a?b=1?c=2'), { method: 'a', query: 'b=1?c=2' });
    assert.deepEqual(splitCommand(''), { method: '', query: '' });
  });

  it('a fragment is dropped', () => {
    assert.deepEqual(splitCommand('m?a=1#b=2'), { method: 'm', query: 'a=1' });
    assert.deepEqual(splitCommand('m#x?a=1'), { method: 'm', query: '' });
  });
});

describe('batch: references to earlier results (CRestUtil::processBatchElement)', () => {
  const state = sampleState();

  it('$result[key] as the whole value is the raw value', () => {
    assert.equal(resolveElement('$result[add]', state), 15);
    assert.equal(resolveElement('$result[0]', state), 'zero');
  });

  it('whole-value substitution keeps arrays and objects', () => {
    assert.deepEqual(resolveElement('$result[list][1][QUEUE]', state), ['1', '7']);
    assert.deepEqual(resolveElement('$result[get]', state), {
      ID: '15',
      LINE_NAME: 'Support line',
      ACTIVE: 'Y',
      EMPTY: null,
      FLAG: true,
    });
    assert.equal(resolveElement('$result[get][FLAG]', state), true);
  });

  it('descends through lists by index and objects by key', () => {
    assert.equal(resolveElement('$result[list][0][ID]', state), '3');
    assert.equal(resolveElement('$result[list][1][QUEUE][1]', state), '7');
  });

  it('an unknown or null member stops the descent and keeps the value reached', () => {
    assert.deepEqual(resolveElement('$result[get][NOPE]', state), resolveElement('$result[get]', state));
    assert.deepEqual(resolveElement('$result[get][EMPTY]', state), resolveElement('$result[get]', state));
    assert.equal(resolveElement('$result[add][x][y]', state), 15);
    assert.equal(Array.isArray(resolveElement('$result[list][01]', state)), true, '"01" is not index 1');
    // Nothing matched at the first level: the whole result map, PHP-shaped.
    assert.deepEqual(Object.keys(resolveElement('$result[missing]', state) as object), ['0', 'add', 'list', 'get']);
  });

  it('$next, $total, $time and $error read their own maps', () => {
    assert.equal(resolveElement('$next[list]', state), 50);
    assert.equal(resolveElement('$total[list]', state), 120);
    assert.equal(resolveElement('$time[add][start]', state), 1795473544.049);
    assert.equal(resolveElement('$error[bad][error]', state), 'ERROR_METHOD_NOT_FOUND');
  });

  it('inside a longer string, numbers and strings are spliced in, every occurrence', () => {
    assert.equal(resolveElement('line-$result[add]', state), 'line-15');
    assert.equal(resolveElement('$result[get][LINE_NAME] (copy)', state), 'Support line (copy)');
    assert.equal(resolveElement('from $next[list] of $total[list]', state), 'from 50 of 120');
    assert.equal(resolveElement('$result[add] and $result[add]', state), '15 and 15');
  });

  it('inside a longer string, arrays, booleans and null leave the reference as written', () => {
    assert.equal(resolveElement('queue: $result[list][1][QUEUE]', state), 'queue: $result[list][1][QUEUE]');
    assert.equal(resolveElement('flag $result[get][FLAG]', state), 'flag $result[get][FLAG]');
  });

  it('a reference runs to the next whitespace, so text glued to it is part of it', () => {
    // `$result[add],x` is one match whose segments are [add]: the glued ",x" is replaced with it.
    assert.equal(resolveElement('id $result[add],x', state), 'id 15');
    assert.equal(resolveElement('$result[add]$result[list][0][ID]', state), 15);
  });

  it('the name is matched in any case but only resolves in lower case, as in PHP', () => {
    assert.equal(resolveElement('$RESULT[add]', state), null);
    assert.equal(resolveElement('x $Result[add]', state), 'x $Result[add]');
  });

  it('text without a reference, or a reference without [segments], is left alone', () => {
    assert.equal(resolveElement('$5 price', state), '$5 price');
    assert.equal(resolveElement('$result', state), '$result');
    assert.equal(resolveElement('$result[', state), '$result[');
  });

  it('the name needs no boundary after it, as the pattern has none: $results[add] reads $result[add]', () => {
    assert.equal(resolveElement('$results[add]', state), 15);
  });

  it('resolves a whole parsed query, nested values included', () => {
    const params = parsePhpQuery(
      'CONFIG_ID=%24result%5Badd%5D&PARAMS[LINE_NAME]=Copy+of+$result[get][LINE_NAME]&PARAMS[QUEUE]=$result[list][1][QUEUE]&PARAMS[QUEUE_TIME]=$total[list]',
    );
    assert.deepEqual(substituteReferences(params, state), {
      CONFIG_ID: 15,
      PARAMS: { LINE_NAME: 'Copy of Support line', QUEUE: ['1', '7'], QUEUE_TIME: 120 },
    });
  });

  it('resolves keys to the spliced scalar; a key whose reference is not a scalar stays as written', () => {
    assert.deepEqual(substituteReferences({ 'k-$result[add]': 'a', $result: { 'x $result[list]': 'b' } }, state), {
      'k-15': 'a',
      $result: { 'x $result[list]': 'b' },
    });
  });
});

describe('batch: reading cmd and halt', () => {
  it('keys in any case; the last spelling wins (array_change_key_case)', () => {
    const input = readBatchInput({ cmd: ['a?'], CMD: ['b?'], Halt: '0', HALT: 'false' });
    assert.deepEqual(input.commands, [['0', 'b?']]);
    assert.equal(input.halt, true);
  });

  it('cmd as a list keys commands by position, as an object by name', () => {
    assert.deepEqual(readBatchInput({ cmd: ['a?', 'b?'] }).commands, [
      ['0', 'a?'],
      ['1', 'b?'],
    ]);
    assert.deepEqual(readBatchInput({ cmd: { add: 'a?', get: 'b?' } }).commands, [
      ['add', 'a?'],
      ['get', 'b?'],
    ]);
  });

  it('a missing or scalar cmd runs nothing and says why', () => {
    for (const params of [{}, { cmd: 'imopenlines.config.add?' }, { cmd: null }] as ParamTree[]) {
      const input = readBatchInput(params);
      assert.deepEqual(input.commands, []);
      assert.equal(input.halt, false);
      assert.equal(typeof input.problem, 'string');
      assert.equal(input.warnings[0]?.field, 'cmd');
    }
  });
});
