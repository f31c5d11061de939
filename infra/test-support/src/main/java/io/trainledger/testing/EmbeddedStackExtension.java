package io.trainledger.testing;

import io.trainledger.infra.local.StackConnection;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests the shared stack of the JVM ({@link TrainLedgerStack#shared()}): declare a
 * {@link StackConnection} parameter on a test, a lifecycle method or the constructor.
 *
 * <pre>{@code
 * @ExtendWith(EmbeddedStackExtension.class)
 * class LedgerIT {
 *     @Test void roundTrip(StackConnection stack) { ... stack.bootstrapServers() ... }
 * }
 * }</pre>
 */
public final class EmbeddedStackExtension implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == StackConnection.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return TrainLedgerStack.shared();
    }
}
