import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { ActionClass } from '../../../../shared/domain/labels';
import { matchRank, searchTaxonomy } from './taxonomySearch';

export type TaxonomyChoice = { verbId: number | null; nounId: number | null };

export type TaxonomyPickerProps = {
  /** The project's taxonomy (`project.taxonomy.verbs` / `.nouns`). */
  verbs: readonly ActionClass[];
  nouns: readonly ActionClass[];
  initial: TaxonomyChoice;
  onPick: (choice: TaxonomyChoice) => void;
  onCancel: () => void;
};

/**
 * Labels a segment with a verb and a noun (EPIC-KITCHENS style) from the project taxonomy, by
 * keyboard first: type to filter by name or id, arrows to move, Enter to pick and go on (verb →
 * noun → Save), Escape to cancel, Ctrl+Enter to save from anywhere. Each field follows the WAI-ARIA
 * combobox pattern (an input owning a listbox, the active option by aria-activedescendant).
 */
export function TaxonomyPicker({ verbs, nouns, initial, onPick, onCancel }: TaxonomyPickerProps) {
  const [verbId, setVerbId] = useState(initial.verbId);
  const [nounId, setNounId] = useState(initial.nounId);
  const verbInput = useRef<HTMLInputElement>(null);
  const nounInput = useRef<HTMLInputElement>(null);
  const saveButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    verbInput.current?.focus();
    verbInput.current?.select();
  }, []);

  const save = () => onPick({ verbId, nounId });

  const onDialogKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      save();
    } else if (event.key === 'Tab') {
      // A modal dialog keeps focus inside: wrap from the last control to the first and back.
      const first = verbInput.current;
      const last = cancelButton.current;
      if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first?.focus();
      } else if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last?.focus();
      }
    }
  };

  return (
    <div
      className="taxonomy-picker"
      role="dialog"
      aria-modal="true"
      aria-label="Label segment"
      onKeyDown={onDialogKeyDown}
    >
      <ClassCombobox
        label="Verb"
        classes={verbs}
        value={verbId}
        inputRef={verbInput}
        onChange={setVerbId}
        onPicked={() => nounInput.current?.focus()}
      />
      <ClassCombobox
        label="Noun"
        classes={nouns}
        value={nounId}
        inputRef={nounInput}
        onChange={setNounId}
        onPicked={() => saveButton.current?.focus()}
      />
      <div className="taxonomy-picker-actions">
        <button ref={saveButton} type="button" onClick={save}>
          Save
        </button>
        <button ref={cancelButton} type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

// Enough to use the picker before the app's stylesheet styles it: a scrolling list and a
// visible active option (aria-selected alone shows nothing).
const LIST_STYLE = {
  listStyle: 'none',
  margin: 0,
  padding: 0,
  maxHeight: '14rem',
  overflowY: 'auto',
} as const;
const OPTION_STYLE = { padding: '0.15rem 0.5rem', cursor: 'pointer' } as const;
const ACTIVE_OPTION_STYLE = {
  ...OPTION_STYLE,
  background: 'var(--accent)',
  color: 'var(--accent-text)',
} as const;

type ComboboxProps = {
  label: string;
  classes: readonly ActionClass[];
  value: number | null;
  inputRef: RefObject<HTMLInputElement | null>;
  onChange: (id: number | null) => void;
  /** After Enter picks an option: move on to the next control. */
  onPicked: () => void;
};

function keyOf(classes: readonly ActionClass[], id: number | null): string {
  return classes.find((c) => c.id === id)?.key ?? '';
}

function ClassCombobox({ label, classes, value, inputRef, onChange, onPicked }: ComboboxProps) {
  const id = useId();
  const listId = `${id}-list`;
  const [text, setText] = useState(() => keyOf(classes, value));
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  // Set by a pick, so the blur that moving on causes does not undo it with the typed text.
  const picked = useRef(false);
  // While the text is still the chosen class's name, show every class rather than just that one.
  const query = text === keyOf(classes, value) ? '' : text;
  const options = searchTaxonomy(classes, query);
  const activeIndex = Math.min(active, options.length - 1);
  const activeOption = activeIndex >= 0 ? options[activeIndex] : undefined;
  const optionId = (c: ActionClass) => `${id}-option-${c.id}`;

  useEffect(() => {
    if (!open || !activeOption) return;
    document.getElementById(optionId(activeOption))?.scrollIntoView({ block: 'nearest' });
  });

  const pick = (c: ActionClass) => {
    picked.current = true;
    onChange(c.id);
    setText(c.key);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        if (!open) {
          setOpen(true);
          const selected = options.findIndex((c) => c.id === value);
          setActive(Math.max(0, selected));
          return;
        }
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setActive(Math.min(options.length - 1, Math.max(0, activeIndex + step)));
        return;
      }
      case 'Home':
      case 'End':
        if (!open) return;
        event.preventDefault();
        setActive(event.key === 'Home' ? 0 : options.length - 1);
        return;
      case 'Enter':
        if (event.ctrlKey || event.metaKey) return;
        event.preventDefault();
        if (activeOption && (open || query !== '')) pick(activeOption);
        onPicked();
        return;
    }
  };

  const onBlur = () => {
    setOpen(false);
    if (picked.current) {
      picked.current = false;
      return;
    }
    const exact = classes.find((c) => matchRank(c, text) === 0 && text.trim() !== '');
    if (exact) {
      pick(exact);
    } else if (text.trim() === '') {
      onChange(null);
    } else {
      // Text that names no class is dropped rather than half-applied.
      setText(keyOf(classes, value));
    }
  };

  return (
    <div className="taxonomy-field">
      <label htmlFor={`${id}-input`}>{label}</label>
      <input
        ref={inputRef}
        id={`${id}-input`}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && activeOption ? optionId(activeOption) : undefined}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => {
          picked.current = false;
          setActive(
            Math.max(
              0,
              options.findIndex((c) => c.id === value),
            ),
          );
          setOpen(true);
        }}
        onBlur={onBlur}
        onKeyDown={onKeyDown}
      />
      <ul
        style={LIST_STYLE}
        id={listId}
        role="listbox"
        aria-label={`${label} classes`}
        hidden={!open}
      >
        {options.map((c, i) => (
          <li
            key={c.id}
            id={optionId(c)}
            role="option"
            aria-selected={i === activeIndex}
            style={i === activeIndex ? ACTIVE_OPTION_STYLE : OPTION_STYLE}
            data-current={c.id === value ? 'true' : undefined}
            // Keeps focus in the input, so its blur does not run before the click picks.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => {
              pick(c);
              onPicked();
            }}
          >
            {c.key} <span className="taxonomy-id">{c.id}</span>
            {c.category ? <span className="taxonomy-category"> · {c.category}</span> : null}
          </li>
        ))}
        {options.length === 0 ? (
          <li role="option" aria-selected={false} aria-disabled="true">
            No {label.toLowerCase()} matches “{text}”
          </li>
        ) : null}
      </ul>
    </div>
  );
}
