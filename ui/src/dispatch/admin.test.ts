import { describe, expect, it } from 'vitest';

import type { SlaPolicy, User } from '../lib/api/headoffice';
import type { ChecklistItem } from '../lib/types/ChecklistItem';
import {
  checklistProblems,
  hoursToMinutes,
  isItemKey,
  isJobTypeCode,
  keyFromLabel,
  minutesToHours,
  moveItem,
  parseOptions,
  policyProblem,
  tabForKey,
  userUpdate,
} from './admin';

const handbook: SlaPolicy = {
  acknowledge_minutes: 30,
  arrive_urgent_minutes: 240,
  arrive_high_minutes: 1440,
  arrive_normal_minutes: 2880,
  arrive_low_minutes: 4320,
  complete_in_warranty_repair_minutes: 4320,
};

function item(key: string, patch: Partial<ChecklistItem> = {}): ChecklistItem {
  return {
    key,
    label: `Label ${key}`,
    label_zh: `标签 ${key}`,
    kind: 'checkbox',
    required: true,
    unit: null,
    options: [],
    categories: [],
    ...patch,
  };
}

describe('admin tabs', () => {
  it('move with the arrow keys, wrapping, and jump with Home and End', () => {
    expect(tabForKey('users', 'ArrowRight')).toBe('devices');
    expect(tabForKey('users', 'ArrowLeft')).toBe('sla');
    expect(tabForKey('sla', 'ArrowRight')).toBe('users');
    expect(tabForKey('parts', 'Home')).toBe('users');
    expect(tabForKey('parts', 'End')).toBe('sla');
    expect(tabForKey('parts', 'Enter')).toBeNull();
  });
});

describe('SLA limits in hours', () => {
  it('read what a person types as whole minutes', () => {
    expect(hoursToMinutes('4')).toBe(240);
    expect(hoursToMinutes('1.5')).toBe(90);
    expect(hoursToMinutes(' 0,5 ')).toBe(30);
    expect(hoursToMinutes('0.333')).toBe(20);
  });

  it('refuse what is not a positive number', () => {
    for (const bad of ['', '0', '-1', 'four', '1h', '1.2.3'])
      expect(hoursToMinutes(bad)).toBeNull();
  });

  it('show minutes as hours with at most two decimals', () => {
    expect(minutesToHours(240)).toBe('4');
    expect(minutesToHours(90)).toBe('1.5');
    expect(minutesToHours(20)).toBe('0.33');
    expect(hoursToMinutes(minutesToHours(4320))).toBe(4320);
  });

  it('are checked like head office checks them', () => {
    expect(policyProblem(handbook)).toBeNull();
    expect(policyProblem({ ...handbook, acknowledge_minutes: 0 })).toBe('range');
    expect(policyProblem({ ...handbook, arrive_low_minutes: 366 * 24 * 60 })).toBe('range');
    expect(policyProblem({ ...handbook, arrive_urgent_minutes: 1441 })).toBe('order');
    expect(policyProblem({ ...handbook, arrive_normal_minutes: 5000 })).toBe('order');
    // Equal limits are allowed.
    expect(policyProblem({ ...handbook, arrive_high_minutes: 240 })).toBeNull();
  });
});

describe('checklist templates', () => {
  it('make a key from the English label that no other item has', () => {
    expect(keyFromLabel('Power-on test', [])).toBe('power_on_test');
    expect(keyFromLabel('Power-on test', ['power_on_test'])).toBe('power_on_test_2');
    expect(keyFromLabel('  ', [])).toBe('item');
    expect(keyFromLabel('220 V check', [])).toBe('item_220_v_check');
    expect(keyFromLabel('检查', ['item'])).toBe('item_2');
    expect(isItemKey(keyFromLabel('A very long label '.repeat(5), []))).toBe(true);
  });

  it('accept keys and codes of lower-case letters, digits and underscores', () => {
    expect(isItemKey('level')).toBe(true);
    expect(isItemKey('l')).toBe(true);
    expect(isItemKey('Level')).toBe(false);
    expect(isItemKey('1st')).toBe(false);
    expect(isItemKey('with space')).toBe(false);
    expect(isJobTypeCode('r')).toBe(false);
    expect(isJobTypeCode('gas_check')).toBe(true);
  });

  it('read choice options separated by commas in either language or new lines', () => {
    expect(parseOptions('good, worn ,broken')).toEqual(['good', 'worn', 'broken']);
    expect(parseOptions('好，一般、差\nOK')).toEqual(['好', '一般', '差', 'OK']);
    expect(parseOptions('a, A, , b')).toEqual(['a', 'b']);
  });

  it('point at the first problem of each item', () => {
    const problems = checklistProblems([
      item('level'),
      item('level'),
      item('Bad Key'),
      item('no_label', { label: ' ' }),
      item('no_zh', { label_zh: '' }),
      item('hose', { kind: 'choice', options: ['good'] }),
      item('ok_choice', { kind: 'choice', options: ['good', 'worn'] }),
    ]);
    expect([...problems.entries()]).toEqual([
      [1, 'keyTwice'],
      [2, 'key'],
      [3, 'label'],
      [4, 'labelZh'],
      [5, 'options'],
    ]);
  });

  it('move an item up or down and leave the list alone at its ends', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});

describe('editing a user', () => {
  const user = (role: User['role']): User => ({
    id: 'u1',
    name: 'someone',
    role,
    technician_id: role === 'technician' ? 't1' : null,
    created_at: '2026-01-01T00:00:00Z',
    disabled_at: null,
    display_name: role === 'technician' ? 'Some One' : null,
  });

  it("sends a technician's new display name, trimmed, and never an empty one", () => {
    expect(userUpdate(user('technician'), { displayName: ' Li Wei ', role: 'technician' })).toEqual(
      { input: { display_name: 'Li Wei' }, problem: null },
    );
    expect(userUpdate(user('technician'), { displayName: '  ', role: 'technician' }).problem).toBe(
      'dispatch.admin.needName',
    );
  });

  it("sends an office user's role, which never becomes technician", () => {
    expect(userUpdate(user('dispatcher'), { displayName: '', role: 'admin' })).toEqual({
      input: { role: 'admin' },
      problem: null,
    });
    expect(userUpdate(user('admin'), { displayName: '', role: 'technician' }).problem).toBe(
      'dispatch.admin.roleFixed',
    );
  });
});
