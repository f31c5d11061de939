package io.trainledger.tor.aggregator.api;

/** The outcome of an interactive query for one run. */
public sealed interface QueryResult<T> {

    /** The run is owned here and this is its value. */
    record Found<T>(T value) implements QueryResult<T> {
    }

    /** The run is owned here and the store has no such run. */
    record NotFound<T>() implements QueryResult<T> {
    }

    /** Another instance owns the run: ask it ({@code host:port}). */
    record Elsewhere<T>(String host, int port) implements QueryResult<T> {
        public String address() {
            return host + ":" + port;
        }
    }

    /** The stores cannot be queried right now (starting, rebalancing, restoring). */
    record Unavailable<T>(String reason) implements QueryResult<T> {
    }

    static <T> QueryResult<T> found(T value) {
        return new Found<>(value);
    }

    static <T> QueryResult<T> notFound() {
        return new NotFound<>();
    }

    static <T> QueryResult<T> elsewhere(String host, int port) {
        return new Elsewhere<>(host, port);
    }

    static <T> QueryResult<T> unavailable(String reason) {
        return new Unavailable<>(reason);
    }
}
