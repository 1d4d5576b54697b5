/**
 * Parsing and matching of Kubernetes `labelSelector` and `fieldSelector` query values.
 *
 * Supported label forms, comma-separated and all required to match: `key=value`,
 * `key==value`, `key!=value`, `key` (exists) and `!key` (does not exist). Field selectors work on
 * `metadata.name` and `metadata.namespace` with `=`, `==` and `!=`, the fields kube-apiserver
 * supports for custom resources.
 */
import type { StoredObject } from './store.js';

/** One parsed requirement of a label or field selector. */
export type SelectorRequirement =
  | { key: string; operator: 'equals' | 'notEquals'; value: string }
  | { key: string; operator: 'exists' | 'notExists' };

/** Thrown when a selector string cannot be parsed; the message is meant for a 400 response. */
export class SelectorSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorSyntaxError';
  }
}

// A label key is an optional DNS-subdomain prefix and a name of at most 63 characters.
const labelKeyPattern = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const supportedFields = new Set(['metadata.name', 'metadata.namespace']);

/**
 * Parses a label selector.
 * @throws {SelectorSyntaxError} on an empty term, an invalid key or value, or a set-based term.
 */
export function parseLabelSelector(selector: string): SelectorRequirement[] {
  return splitTerms(selector).map((term) => {
    const requirement = parseTerm(term, 'label');
    if (!labelKeyPattern.test(requirement.key)) {
      throw new SelectorSyntaxError(`unable to parse requirement: invalid label key "${requirement.key}"`);
    }
    if ('value' in requirement && !labelValuePattern.test(requirement.value)) {
      throw new SelectorSyntaxError(`unable to parse requirement: invalid label value "${requirement.value}"`);
    }
    return requirement;
  });
}

/**
 * Parses a field selector.
 * @throws {SelectorSyntaxError} on a malformed term or a field other than `metadata.name` or `metadata.namespace`.
 */
export function parseFieldSelector(selector: string): SelectorRequirement[] {
  return splitTerms(selector).map((term) => {
    const requirement = parseTerm(term, 'field');
    if (requirement.operator === 'exists' || requirement.operator === 'notExists') {
      throw new SelectorSyntaxError(`invalid selector: '${selector}'; can't understand '${term}'`);
    }
    if (!supportedFields.has(requirement.key)) {
      throw new SelectorSyntaxError(`field label not supported: ${requirement.key}`);
    }
    return requirement;
  });
}

/** Returns whether `labels` satisfy every requirement. */
export function matchesLabels(requirements: readonly SelectorRequirement[], labels: Readonly<Record<string, string>> | undefined): boolean {
  return requirements.every((requirement) => {
    const value = labels?.[requirement.key];
    switch (requirement.operator) {
      case 'exists':
        return value !== undefined;
      case 'notExists':
        return value === undefined;
      case 'equals':
        return value === requirement.value;
      case 'notEquals':
        return value !== requirement.value;
    }
  });
}

/** Returns whether an object's metadata fields satisfy every requirement. */
export function matchesFields(requirements: readonly SelectorRequirement[], object: StoredObject): boolean {
  const fields: Record<string, string> = {
    'metadata.name': object.metadata.name,
    'metadata.namespace': object.metadata.namespace ?? '',
  };
  return matchesLabels(requirements, fields);
}

function splitTerms(selector: string): string[] {
  if (selector.trim() === '') {
    return [];
  }

  return selector.split(',').map((term) => {
    const trimmed = term.trim();
    if (trimmed === '') {
      throw new SelectorSyntaxError(`invalid selector: '${selector}' has an empty term`);
    }
    return trimmed;
  });
}

function parseTerm(term: string, kind: 'label' | 'field'): SelectorRequirement {
  // Set-based terms (`key in (a,b)`) contain commas of their own, which the split above has
  // broken apart. The parts are rejected here with a message that names the unsupported form.
  if (/\s(in|notin)\s|[()]/.test(term)) {
    throw new SelectorSyntaxError(`unable to parse requirement: set-based ${kind} selectors (in, notin) are not supported by the simulator: '${term}'`);
  }

  const notEquals = term.indexOf('!=');
  if (notEquals >= 0) {
    return { key: term.slice(0, notEquals).trim(), operator: 'notEquals', value: term.slice(notEquals + 2).trim() };
  }

  const equals = term.indexOf('=');
  if (equals >= 0) {
    const valueStart = term[equals + 1] === '=' ? equals + 2 : equals + 1;
    return { key: term.slice(0, equals).trim(), operator: 'equals', value: term.slice(valueStart).trim() };
  }

  if (term.startsWith('!')) {
    return { key: term.slice(1).trim(), operator: 'notExists' };
  }

  return { key: term, operator: 'exists' };
}
