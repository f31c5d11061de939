package io.trainledger.plpp;

/**
 * Sizes of the built-in {@link TinyClip}: token width, causal pre-LN blocks, heads, max sequence
 * length, joint feature width and the image CNN's channel width.
 */
public record TinyClipConfig(int width, int layers, int heads, int maxLength, int featureDim, int imageChannels, int imageSize) {

    /** The benchmark size: D = 64, 2 blocks, 4 heads, context 24, 20x20 images (about 190k parameters). */
    public static TinyClipConfig standard() {
        return new TinyClipConfig(64, 2, 4, 24, 64, 16, 20);
    }

    /** A small configuration for fast tests. */
    public static TinyClipConfig small() {
        return new TinyClipConfig(32, 1, 2, 24, 32, 16, 20);
    }

    public TinyClipConfig {
        if (width % heads != 0) {
            throw new IllegalArgumentException("width must be divisible by heads");
        }
    }

    public String key() {
        return "w" + width + "l" + layers + "h" + heads + "L" + maxLength + "f" + featureDim + "c" + imageChannels + "i" + imageSize;
    }
}
