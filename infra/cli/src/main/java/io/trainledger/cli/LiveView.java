package io.trainledger.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * Runs the live view of one run until it has finished and its final report is in: on a terminal the view is redrawn
 * in place twice a second; otherwise (a pipe, a log) each failure is printed as it happens and the progress line
 * every few seconds.
 */
public final class LiveView {
    private static final Duration REDRAW = Duration.ofMillis(500);
    private static final Duration PIPE_PROGRESS = Duration.ofSeconds(10);

    private final PrintWriter out;
    private final boolean interactive;
    private final RunViewRenderer renderer;

    public LiveView(PrintWriter out, boolean interactive, int width) {
        this.out = out;
        this.interactive = interactive;
        this.renderer = new RunViewRenderer(width, ZoneId.systemDefault());
    }

    /** A view for this process's terminal: interactive when there is a console, width from {@code COLUMNS}. */
    public static LiveView forTerminal(PrintWriter out) {
        boolean interactive = System.console() != null;
        // A log keeps whole lines; a terminal redraws in place and must not wrap.
        int width = interactive ? 100 : 240;
        String columns = System.getenv("COLUMNS");
        if (columns != null && columns.matches("\\d+")) {
            width = Integer.parseInt(columns);
        }
        return new LiveView(out, interactive, width);
    }

    /**
     * Follows until the run is settled (finished, final report in) or {@code until} elapses; returns the view.
     * {@code once}: print the current state after catching up with the ledger, then return.
     */
    public RunView follow(LedgerFollower follower, RunView view, Duration until, boolean once) {
        long deadline = System.nanoTime() + until.toNanos();
        int drawn = 0;
        int incidentsPrinted = 0;
        long lastProgress = 0;
        while (true) {
            follower.poll(view, REDRAW);
            if (once && !follower.caughtUp()) {
                continue;
            }
            if (interactive) {
                List<String> lines = renderer.render(view);
                if (drawn > 0) {
                    out.print("\033[" + drawn + "F\033[J"); // back to the first line of the last frame, clear below
                }
                lines.forEach(out::println);
                drawn = lines.size();
            } else {
                List<RunView.Incident> incidents = view.incidents();
                for (int i = Math.min(incidentsPrinted, incidents.size()); i < incidents.size(); i++) {
                    out.println(renderer.incident(incidents.get(i)));
                }
                incidentsPrinted = incidents.size();
                if (System.nanoTime() - lastProgress > PIPE_PROGRESS.toNanos() || view.isSettled() || once) {
                    List<String> lines = renderer.render(view);
                    lines.subList(0, 5).forEach(out::println);
                    lastProgress = System.nanoTime();
                }
            }
            out.flush();
            if (view.isSettled() || once || System.nanoTime() > deadline || Thread.currentThread().isInterrupted()) {
                return view;
            }
        }
    }
}
