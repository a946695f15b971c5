import { RiskBadge } from "../shared/components/RiskBadge";
import { formatDuration, labelFor } from "../shared/format";
import type { Language, Topic, WaitingEntry } from "../shared/protocol";
import { useNow } from "../shared/useNow";

interface Props {
  queue: readonly WaitingEntry[];
  receivedAt: number;
  topics: readonly Topic[];
  languages: readonly Language[];
  onTake: (conversationId?: string) => void;
}

/** Who is waiting that this listener may take, most urgent first as the server orders them. */
export function QueueTable({ queue, receivedAt, topics, languages, onTake }: Props) {
  const now = useNow(1000);
  const elapsed = (now - receivedAt) / 1000;
  return (
    <section class="card queue" aria-labelledby="queue-title">
      <div class="section-head">
        <h2 id="queue-title">
          Waiting <span class="count">({queue.length})</span>
        </h2>
        <button type="button" class="button button--secondary" onClick={() => onTake()} disabled={queue.length === 0}>
          Take next
        </button>
      </div>
      {queue.length === 0 ? (
        <p class="muted">Nobody is waiting for you right now.</p>
      ) : (
        <div class="table-wrap">
          <table class="table">
            <caption class="visually-hidden">Seekers waiting for a chat</caption>
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Language</th>
                <th scope="col">Waiting</th>
                <th scope="col">Risk</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {queue.map((entry) => (
                <tr key={entry.conversation_id} class={entry.severity !== "none" ? "row--risk" : ""}>
                  <td>{labelFor(topics, entry.topic)}</td>
                  <td>{labelFor(languages, entry.language)}</td>
                  <td>{formatDuration(entry.waited_s + elapsed)}</td>
                  <td>
                    <RiskBadge severity={entry.severity} />
                  </td>
                  <td>
                    <button
                      type="button"
                      class="button button--primary button--small"
                      onClick={() => onTake(entry.conversation_id)}
                      aria-label={`Take chat about ${labelFor(topics, entry.topic)}, waiting ${formatDuration(entry.waited_s + elapsed)}`}
                    >
                      Take
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
