// Shared test set-up. Tests never reach the network; HTTP is mocked with
// nock at the HTTP boundary (see test/mocks/) once the App exists.
export {};
