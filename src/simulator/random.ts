/**
 * Seeded random source for names, UIDs and seed data, so that one seed always yields the same
 * users, bindings and generated names. Token secrets do not come from here (see `auth.ts`).
 */

/** The alphabet Kubernetes uses for `generateName` suffixes: no vowels, no look-alike digits. */
export const kubernetesNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** A deterministic pseudo-random generator (Mulberry32 variant); not for secrets. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = Math.trunc(seed) >>> 0;
  }

  /** Returns a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** Returns an integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** Returns `length` characters drawn from `alphabet`. */
  string(length: number, alphabet: string): string {
    let result = '';
    for (let index = 0; index < length; index += 1) {
      result += alphabet[this.nextInt(alphabet.length)];
    }
    return result;
  }

  /** Returns a `generateName`-style suffix of `length` characters (Kubernetes uses 5). */
  nameSuffix(length = 5): string {
    return this.string(length, kubernetesNameAlphabet);
  }

  /** Returns an RFC 4122 version-4-shaped UUID made from this generator. */
  uuid(): string {
    const hex = this.string(32, '0123456789abcdef').split('');
    hex[12] = '4';
    hex[16] = '89ab'[this.nextInt(4)] ?? '8';
    const text = hex.join('');
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
  }

  /** Returns a shuffled copy of `items` (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index -= 1) {
      const other = this.nextInt(index + 1);
      const swapped = copy[index] as T;
      copy[index] = copy[other] as T;
      copy[other] = swapped;
    }
    return copy;
  }
}
