/**
 * Seed data: built-in global roles, the bootstrap admin, local and external users, and one
 * GlobalRoleBinding per user, all derived from the seeded random generator.
 */
import { builtinGlobalRoles } from './builtin-roles.js';
import { admitGlobalRoleBinding, completeGlobalRoleBinding } from './global-role-bindings.js';
import type { SeededRandom } from './random.js';
import { globalRoleBindingsResource, globalRolesResource, usersResource } from './resources.js';
import { formatTimestamp, type NewObject, type ObjectStore } from './store.js';

/** The ids of the seeded users. */
export interface SeededUsers {
  adminUserId: string;
  localUserIds: string[];
  externalUserIds: string[];
}

interface Person {
  displayName: string;
  username: string;
}

// Invented people. Several names use accented Latin, Polish, Turkish, Greek, Cyrillic, Japanese,
// Chinese, Korean or Vietnamese letters so that clients meet non-ASCII display names.
const localPeople: readonly Person[] = [
  { displayName: 'Zofia Wiśniewska', username: 'zofia.wisniewska' },
  { displayName: 'Łukasz Dąbrowski', username: 'lukasz.dabrowski' },
  { displayName: 'Hélène Marchand', username: 'helene.marchand' },
  { displayName: 'José Álvarez', username: 'jose.alvarez' },
  { displayName: 'Søren Kjærgaard', username: 'soren.kjaergaard' },
  { displayName: 'Γιώργος Παπαδάκης', username: 'giorgos.papadakis' },
  { displayName: 'Ελένη Κωνσταντίνου', username: 'eleni.konstantinou' },
  { displayName: '山田 花子', username: 'hanako.yamada' },
  { displayName: '陈 静怡', username: 'jingyi.chen' },
  { displayName: '김 민준', username: 'minjun.kim' },
  { displayName: 'Дмитрий Соколов', username: 'dmitri.sokolov' },
  { displayName: 'Nguyễn Thị Lan', username: 'lan.nguyen' },
  { displayName: 'Aylin Yıldız', username: 'aylin.yildiz' },
  { displayName: 'Mateusz Żółkowski', username: 'mateusz.zolkowski' },
  { displayName: 'Jürgen Weiß', username: 'juergen.weiss' },
  { displayName: 'Chloé Dubois', username: 'chloe.dubois' },
  { displayName: 'Ana Lúcia Ferreira', username: 'ana.ferreira' },
  { displayName: 'Tomás Ó Briain', username: 'tomas.obriain' },
  { displayName: 'Ahmed Farouk', username: 'ahmed.farouk' },
  { displayName: 'Priya Raman', username: 'priya.raman' },
  { displayName: 'Oliver Brandt', username: 'oliver.brandt' },
  { displayName: 'Mia Lindqvist', username: 'mia.lindqvist' },
  { displayName: 'Noah Okafor', username: 'noah.okafor' },
  { displayName: 'Ingrid Halvorsen', username: 'ingrid.halvorsen' },
  { displayName: 'Carlos Mendes', username: 'carlos.mendes' },
  { displayName: 'Fatima Benali', username: 'fatima.benali' },
  { displayName: 'Ravi Menon', username: 'ravi.menon' },
  { displayName: 'Emma Schultz', username: 'emma.schultz' },
  { displayName: 'Lars Eriksen', username: 'lars.eriksen' },
  { displayName: 'Yuki Tanaka', username: 'yuki.tanaka' },
];

const externalPeople: readonly string[] = [
  'Grace Holloway',
  'Marek Nowicki',
  'Beatriz Costa',
  'Kofi Mensah',
  'Hannah Becker',
  'Inès Moreau',
  'Viktor Horváth',
  'Leila Haddad',
  'Tobias Lund',
  'Amara Nwosu',
];

// Seed objects get creation times counted from this fixed start, so one seed always gives the
// same objects. Objects created through the API use the clock.
const seedStart = Date.parse('2025-01-06T09:00:00Z');
const userControllerName = 'mgmt-auth-users-controller';
const normanCreatorLabels = { 'cattle.io/creator': 'norman' };

/**
 * Fills an empty store with roles, `userCount` users (the bootstrap admin included) and their
 * GlobalRoleBindings. About one user in five is an Active Directory user; the rest are local.
 * @throws {RangeError} when `userCount` is not a positive integer.
 */
export function seedStore(store: ObjectStore, random: SeededRandom, userCount: number): SeededUsers {
  if (!Number.isInteger(userCount) || userCount < 1) {
    throw new RangeError(`users must be a positive integer (the bootstrap admin counts as one), got ${userCount}`);
  }

  let time = seedStart;
  const nextTime = (): string => {
    time += (1 + random.nextInt(600)) * 1000;
    return formatTimestamp(new Date(time));
  };

  for (const role of builtinGlobalRoles) {
    const created = nextTime();
    store.create(
      globalRolesResource,
      {
        apiVersion: 'management.cattle.io/v3',
        kind: 'GlobalRole',
        metadata: { name: role.name, labels: { ...role.labels }, ...(role.annotations ? { annotations: { ...role.annotations } } : {}) },
        builtin: true,
        displayName: role.displayName,
        newUserDefault: role.newUserDefault,
        rules: structuredClone(role.rules),
        status: { conditions: [], lastUpdateTime: created, observedGeneration: 1, summary: 'Complete' },
      },
      { creationTimestamp: created },
    );
  }

  const adminUserId = uniqueName(store, random, 'user-', 5);
  const adminCreated = nextTime();
  store.create(usersResource, localUser(adminUserId, { displayName: 'Default Admin', username: 'admin' }, adminCreated, undefined), {
    creationTimestamp: adminCreated,
  });
  seedBinding(store, random, adminUserId, 'admin', undefined, nextTime());

  const externalCount = Math.floor((userCount - 1) / 5);
  const localCount = userCount - 1 - externalCount;
  const localPeopleOrder = random.shuffle(localPeople);
  const externalPeopleOrder = random.shuffle(externalPeople);

  const localUserIds: string[] = [];
  for (let index = 0; index < localCount; index += 1) {
    const person = pickPerson(localPeopleOrder, index);
    const userId = uniqueName(store, random, 'u-', 5);
    const created = nextTime();
    store.create(usersResource, localUser(userId, person, created, adminUserId), { creationTimestamp: created });
    seedBinding(store, random, userId, 'user', adminUserId, nextTime());
    localUserIds.push(userId);
  }

  const externalUserIds: string[] = [];
  for (let index = 0; index < externalCount; index += 1) {
    const round = Math.floor(index / externalPeopleOrder.length);
    const baseName = externalPeopleOrder[index % externalPeopleOrder.length] ?? 'External User';
    const displayName = round === 0 ? baseName : `${baseName} ${round + 1}`;
    const userId = uniqueName(store, random, 'u-', 10, 'abcdefghijklmnopqrstuvwxyz0123456789');
    const created = nextTime();
    store.create(usersResource, externalUser(userId, displayName, created), { creationTimestamp: created });
    seedBinding(store, random, userId, 'user', undefined, nextTime());
    externalUserIds.push(userId);
  }

  return { adminUserId, localUserIds, externalUserIds };
}

function pickPerson(people: readonly Person[], index: number): Person {
  const person = people[index % people.length] ?? { displayName: 'Local User', username: 'local.user' };
  const round = Math.floor(index / people.length);
  if (round === 0) {
    return person;
  }
  return { displayName: `${person.displayName} ${round + 1}`, username: `${person.username}${round + 1}` };
}

function uniqueName(store: ObjectStore, random: SeededRandom, prefix: string, length: number, alphabet?: string): string {
  for (;;) {
    const name = prefix + (alphabet ? random.string(length, alphabet) : random.nameSuffix(length));
    if (!store.has(usersResource, name)) {
      return name;
    }
  }
}

function localUser(userId: string, person: Person, created: string, creatorId: string | undefined): NewObject {
  const isAdmin = creatorId === undefined;
  const annotations: Record<string, string> = {
    'authz.management.cattle.io/creator-role-bindings': JSON.stringify(isAdmin ? { created: ['admin'], required: ['admin'] } : { created: ['user'], required: ['user'] }),
    [`lifecycle.cattle.io/create.${userControllerName}`]: 'true',
  };
  if (creatorId) {
    annotations['field.cattle.io/creatorId'] = creatorId;
  }

  return {
    apiVersion: 'management.cattle.io/v3',
    kind: 'User',
    metadata: {
      name: userId,
      generateName: isAdmin ? 'user-' : 'u-',
      annotations,
      finalizers: [`controller.cattle.io/${userControllerName}`],
      // Rancher labels the user it bootstraps; users made through the UI carry the norman label.
      labels: isAdmin ? { 'authz.management.cattle.io/bootstrapping': 'admin-user' } : { ...normanCreatorLabels },
    },
    description: '',
    displayName: person.displayName,
    enabled: true,
    principalIds: [`local://${userId}`],
    status: { conditions: [{ lastUpdateTime: created, status: 'True', type: 'InitialRolesPopulated' }] },
    username: person.username,
  };
}

function externalUser(userId: string, displayName: string, created: string): NewObject {
  return {
    apiVersion: 'management.cattle.io/v3',
    kind: 'User',
    metadata: {
      name: userId,
      generateName: 'u-',
      annotations: { [`lifecycle.cattle.io/create.${userControllerName}`]: 'true' },
      finalizers: [`controller.cattle.io/${userControllerName}`],
    },
    description: '',
    displayName,
    principalIds: [`activedirectory_user://CN=${displayName},OU=People,DC=corp,DC=example,DC=com`],
    status: { conditions: [{ lastUpdateTime: created, status: 'True', type: 'InitialRolesPopulated' }] },
  };
}

function seedBinding(store: ObjectStore, random: SeededRandom, userId: string, roleName: string, creatorId: string | undefined, created: string): void {
  // Rancher names the bootstrap admin's binding `globalrolebinding-…` and labels it; bindings
  // made for other users come from the norman API with prefix `grb-`.
  const isBootstrap = roleName === 'admin' && creatorId === undefined;
  const generateName = isBootstrap ? 'globalrolebinding-' : 'grb-';
  let name = generateName + random.nameSuffix();
  while (store.has(globalRoleBindingsResource, name)) {
    name = generateName + random.nameSuffix();
  }

  const binding: NewObject = {
    apiVersion: 'management.cattle.io/v3',
    kind: 'GlobalRoleBinding',
    metadata: {
      name,
      generateName,
      annotations: creatorId ? { 'field.cattle.io/creatorId': creatorId } : {},
      labels: isBootstrap ? { 'authz.management.cattle.io/bootstrapping': 'admin-user' } : { ...normanCreatorLabels },
    },
    globalRoleName: roleName,
    userName: userId,
  };
  admitGlobalRoleBinding(store, binding);
  completeGlobalRoleBinding(binding, new Date(created));
  store.create(globalRoleBindingsResource, binding, { creationTimestamp: created });
}
