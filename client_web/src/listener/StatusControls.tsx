import type { Status } from "./controller";

interface Props {
  status: Status;
  maxChats: number;
  onChange: (status: Status, maxChats: number) => void;
}

/** Available / away, and how many chats at once. */
export function StatusControls({ status, maxChats, onChange }: Props) {
  // 0 until the server has said what this account's limit is.
  const limits = Array.from({ length: Math.max(5, maxChats) }, (_, i) => i + 1);
  return (
    <fieldset class="status-controls">
      <legend>Your availability</legend>
      <div class="segmented" role="radiogroup" aria-label="Status">
        {(["available", "away"] as const).map((value) => (
          <label key={value} class={status === value ? "segmented__option segmented__option--on" : "segmented__option"}>
            <input
              type="radio"
              name="status"
              value={value}
              checked={status === value}
              onChange={() => onChange(value, maxChats)}
            />
            {value === "available" ? "Available" : "Away"}
          </label>
        ))}
      </div>
      <div class="field field--inline">
        <label for="max-chats">Chats at once</label>
        <select
          id="max-chats"
          value={String(maxChats)}
          disabled={maxChats === 0}
          onChange={(e) => onChange(status, Number((e.currentTarget as HTMLSelectElement).value))}
        >
          {maxChats === 0 ? <option value="0">…</option> : null}
          {limits.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </div>
    </fieldset>
  );
}
