package io.trainledger.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The TCP sockets a process listens on, read from /proc (Linux): what {@code ss -ltnp} shows for one pid. */
final class ListeningSockets {
    private ListeningSockets() {
    }

    /** "address:port" of every listening socket of {@code pid}, addresses as printed by /proc (hex decoded). */
    static List<String> of(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException gone) {
                    // fd closed while listing
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if ("0A".equals(f[3]) && inodes.contains(f[9])) {
                    out.add(decode(f[1]));
                }
            }
        }
        return out;
    }

    private static String decode(String hexAddrPort) {
        String[] parts = hexAddrPort.split(":");
        int port = Integer.parseInt(parts[1], 16);
        String hex = parts[0];
        if (hex.length() == 8) {
            return ipv4(hex) + ":" + port;
        }
        // IPv6: 0000000000000000FFFF00000100007F is ::ffff:127.0.0.1; all zeros is ::.
        if (hex.matches("0{16}FFFF0{4}[0-9A-F]{8}")) {
            return "::ffff:" + ipv4(hex.substring(24)) + ":" + port;
        }
        if (hex.matches("0+")) {
            return ":::" + port;
        }
        if (hex.equals("00000000000000000000000001000000")) {
            return "::1:" + port;
        }
        return hex + ":" + port;
    }

    private static String ipv4(String littleEndianHex) {
        long v = Long.parseLong(littleEndianHex, 16);
        return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
    }
}
