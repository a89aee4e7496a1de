// Every test here starts processes (PostgreSQL, silos, gateways) on a 2-core machine, and the
// database restart test stops the one shared server: the tests run one after another.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
