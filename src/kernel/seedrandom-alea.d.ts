// seedrandom's Alea generator as a module of its own (@types/seedrandom declares only the package
// root): random.ts imports it directly so that a run does not load the root, whose default
// generator's auto-seeding requires node:crypto.
declare module "seedrandom/lib/alea.js" {
  const alea: typeof import("seedrandom").alea;
  export = alea;
}
