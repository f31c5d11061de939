package io.trainledger.plpp;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Loads a pretrained {@link TinyClip} from {@code dataDir/backbones/tinyclip-<hash>.ndlist}, or
 * pretrains it and stores it there. The hash covers the world version, the model sizes and the
 * pretraining config (including its seed). The cache is only an optimisation: an unreadable or
 * missing file means pretraining again.
 */
public final class BackboneStore {
    private static final Logger LOG = LoggerFactory.getLogger(BackboneStore.class);
    // v3: the mul/div(Number) use-after-free on the autograd path was fixed; weights pretrained with
    // it (v2) are not what the current code produces, so they are not reused.
    static final String WORLD_VERSION = "world-v1/tinyclip-v3";

    private BackboneStore() {}

    public static String cacheKey(ProceduralWorld world, TinyClipConfig tc, BackbonePretrainer.Config pc) {
        String key = WORLD_VERSION + "|img" + world.imageSize() + "|vocab" + world.vocabulary().size() + "|" + tc.key() + "|" + pc.key();
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(key.getBytes(StandardCharsets.UTF_8)), 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TinyClip loadOrPretrain(Path dataDir, ProceduralWorld world, TinyClipConfig tc,
                                          BackbonePretrainer.Config pc, NDManager manager, Device device) {
        Path file = dataDir == null ? null
                : dataDir.resolve("backbones").resolve("tinyclip-" + cacheKey(world, tc, pc) + ".ndlist");
        if (file != null && Files.isRegularFile(file)) {
            try {
                TinyClip clip = TinyClip.decode(tc, world.vocabulary(), manager, device, Files.readAllBytes(file));
                LOG.info("backbone loaded from {} (fingerprint {})", file, clip.fingerprint());
                return clip;
            } catch (IOException | RuntimeException e) {
                LOG.warn("backbone cache {} unreadable ({}); pretraining again", file, e.toString());
            }
        }
        long t0 = System.nanoTime();
        byte[] weights = BackbonePretrainer.pretrain(world, tc, pc, manager, device);
        LOG.info("backbone pretrained in {} s ({} steps, batch {})", String.format("%.1f", (System.nanoTime() - t0) / 1e9),
                pc.steps(), pc.batchSize());
        if (file != null) {
            try {
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), "tinyclip", ".tmp");
                Files.write(tmp, weights);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                LOG.warn("could not cache backbone at {}: {}", file, e.toString());
            }
        }
        return TinyClip.decode(tc, world.vocabulary(), manager, device, weights);
    }
}
