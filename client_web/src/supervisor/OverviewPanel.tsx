import { formatDuration } from "../shared/format";
import type { Overview } from "../shared/protocol";

interface Props {
  overview: Overview | null;
}

/** Queue, longest wait, active chats, listeners and their load. */
export function OverviewPanel({ overview }: Props) {
  return (
    <section class="card overview" aria-labelledby="overview-title">
      <h2 id="overview-title">Overview</h2>
      {!overview ? (
        <p class="muted">Waiting for the service's overview…</p>
      ) : (
        <>
          <dl class="stats">
            <div class="stat">
              <dt>Waiting</dt>
              <dd data-testid="queue-length">{overview.queue_length}</dd>
            </div>
            <div class="stat">
              <dt>Longest wait</dt>
              <dd>{overview.longest_wait_s ? formatDuration(overview.longest_wait_s) : "—"}</dd>
            </div>
            <div class="stat">
              <dt>Active chats</dt>
              <dd>{overview.active_conversations}</dd>
            </div>
            <div class="stat">
              <dt>Open escalations</dt>
              <dd>{overview.open_escalations}</dd>
            </div>
          </dl>
          <div class="table-wrap">
            <table class="table">
              <caption>Listeners</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Load</th>
                </tr>
              </thead>
              <tbody>
                {overview.listeners.length === 0 ? (
                  <tr>
                    <td colSpan={3} class="muted">
                      No listeners online.
                    </td>
                  </tr>
                ) : (
                  overview.listeners.map((l) => (
                    <tr key={l.user_id}>
                      <td>{l.display_name}</td>
                      <td>{l.status}</td>
                      <td>
                        {l.load} of {l.max_chats}
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
