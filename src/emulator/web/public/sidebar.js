/*
 * This file is the sidebar host's client: it renders the add-on's card JSON (card.proto field
 * names, as the runtime returns it) the way Gmail's sidebar does, keeps the card stack, applies
 * navigations and notifications, and sends actions with their parameters and form inputs back to
 * the runtime through POST /api/run.
 */
'use strict';

const state = { context: null, stack: [], surface: null, busy: false };
const $ = (id) => document.getElementById(id);

const ICONS = {
  PERSON: '👤',
  MULTIPLE_PEOPLE: '👥',
  EMAIL: '✉️',
  PHONE: '📞',
  STAR: '★',
  CLOCK: '🕒',
  BOOKMARK: '🔖',
  DESCRIPTION: '📄',
  INVITE: '📨',
  MAP_PIN: '📍',
  OFFER: '🏷️',
  STORE: '🏬',
  EVENT_SEAT: '💺',
  TICKET: '🎫',
};

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2).toLowerCase(), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of [].concat(children)) if (child) node.append(child);
  return node;
}

/** Renders Apps Script's formatted text (b, i, u, s, br, font color, a href) safely. */
function formattedText(html) {
  const allowed = new Set(['B', 'I', 'U', 'S', 'BR', 'A', 'FONT', 'STRONG', 'EM']);
  const parsed = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html').body.firstChild;
  const copy = (source) => {
    const out = document.createDocumentFragment();
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) out.append(node.textContent);
      else if (node.nodeType === Node.ELEMENT_NODE && allowed.has(node.tagName)) {
        const clean = document.createElement(node.tagName);
        const href = node.getAttribute('href');
        if (node.tagName === 'A' && href && /^https?:/i.test(href)) {
          clean.href = href;
          clean.target = '_blank';
          clean.rel = 'noopener';
        }
        const color = node.getAttribute('color');
        if (node.tagName === 'FONT' && color && /^#?[\w]+$/.test(color)) clean.style.color = color;
        clean.append(copy(node));
        out.append(clean);
      } else if (node.nodeType === Node.ELEMENT_NODE) out.append(copy(node));
    }
    return out;
  };
  const span = document.createElement('span');
  if (parsed) span.append(copy(parsed));
  return span;
}

function iconOf(icon) {
  if (!icon) return null;
  if (icon.iconUrl)
    return element('img', { className: 'icon', src: icon.iconUrl, alt: icon.altText || '' });
  return element('span', {
    className: 'icon',
    text: ICONS[icon.knownIcon] || '•',
    'aria-hidden': 'true',
  });
}

/** Collects the current card's form inputs as Apps Script passes them. */
function formInputs(root) {
  const inputs = {};
  for (const field of root.querySelectorAll('[data-field]')) {
    const name = field.dataset.field;
    const kind = field.dataset.kind;
    if (kind === 'text') {
      if (field.value !== '') inputs[name] = [field.value];
    } else if (kind === 'dropdown') {
      if (field.value !== '') inputs[name] = [field.value];
    } else if (kind === 'multi') {
      const values = [...field.selectedOptions].map((option) => option.value);
      if (values.length) inputs[name] = values;
    } else if (kind === 'choice') {
      if (field.checked) (inputs[name] = inputs[name] || []).push(field.value);
    } else if (kind === 'date' && field.value) {
      const ms =
        field.type === 'time'
          ? (Number(field.value.slice(0, 2)) * 60 + Number(field.value.slice(3, 5))) * 60000
          : Date.parse(field.type === 'date' ? `${field.value}T00:00:00Z` : `${field.value}Z`);
      inputs[name] = { msSinceEpoch: ms };
    }
  }
  return inputs;
}

function onClickHandler(onClick) {
  if (!onClick) return undefined;
  return (event) => {
    event.stopPropagation();
    if (onClick.action) runAction(onClick.action);
    else if (onClick.openDynamicLinkAction) runAction(onClick.openDynamicLinkAction);
    else if (onClick.openLink) openLink(onClick.openLink);
  };
}

function openLink(link, quiet = false) {
  if (!quiet) notify(`Opening ${link.url}`);
  window.open(link.url, '_blank', 'noopener');
}

function renderButton(button) {
  const classes = {
    FILLED: 'filled',
    FILLED_TONAL: 'tonal',
    BORDERLESS: 'borderless',
    TEXT: 'borderless',
  };
  const label = button.text || (button.icon && (ICONS[button.icon.knownIcon] || '◻')) || '';
  const node = element('button', {
    type: 'button',
    className: `btn ${classes[button.type] || ''}`,
    disabled: button.disabled,
    'aria-label': button.altText || button.text,
    onClick: onClickHandler(button.onClick),
    text: label,
  });
  if (button.color) node.style.background = button.color;
  return node;
}

function renderWidget(widget) {
  if (widget.textParagraph)
    return element('div', { className: 'widget' }, formattedText(widget.textParagraph.text));
  if (widget.divider) return element('hr', { className: 'divider' });
  if (widget.image) {
    const image = element('img', {
      className: 'image widget',
      src: widget.image.imageUrl,
      alt: widget.image.altText || '',
    });
    if (widget.image.onClick) image.addEventListener('click', onClickHandler(widget.image.onClick));
    return image;
  }
  if (widget.buttonList)
    return element(
      'div',
      { className: 'widget buttons' },
      widget.buttonList.buttons.map(renderButton),
    );
  if (widget.decoratedText) return renderDecorated(widget.decoratedText);
  if (widget.textInput) return renderTextInput(widget.textInput);
  if (widget.selectionInput) return renderSelection(widget.selectionInput);
  if (widget.dateTimePicker) return renderDate(widget.dateTimePicker);
  if (widget.grid) return renderGrid(widget.grid);
  return element('div', {
    className: 'widget hint',
    text: `(unsupported widget ${Object.keys(widget)[0]})`,
  });
}

function renderDecorated(item) {
  const body = element('div', { className: 'body' }, [
    item.topLabel && element('div', { className: 'label' }, formattedText(item.topLabel)),
    element('div', { className: item.wrapText ? '' : 'nowrap' }, formattedText(item.text)),
    item.bottomLabel && element('div', { className: 'label' }, formattedText(item.bottomLabel)),
  ]);
  let end = null;
  if (item.button) end = renderButton(item.button);
  else if (item.endIcon) end = iconOf(item.endIcon);
  else if (item.switchControl) {
    const control = item.switchControl;
    end = element('input', {
      type: 'checkbox',
      role: control.controlType === 'CHECK_BOX' ? undefined : 'switch',
      'data-field': control.name,
      'data-kind': 'choice',
      value: control.value || 'on',
      checked: control.selected,
      'aria-label': item.text,
    });
    if (control.onChangeAction)
      end.addEventListener('change', () => runAction(control.onChangeAction));
  }
  return element(
    'div',
    {
      className: `widget decorated${item.onClick ? ' clickable' : ''}`,
      onClick: onClickHandler(item.onClick),
      role: item.onClick ? 'button' : undefined,
    },
    [iconOf(item.startIcon), body, end],
  );
}

function renderTextInput(input) {
  const id = `f-${input.name}`;
  const props = {
    id,
    'data-field': input.name,
    'data-kind': 'text',
    'aria-label': input.label || input.name,
  };
  const field =
    input.type === 'MULTIPLE_LINE'
      ? element('textarea', { ...props, rows: 3 })
      : element('input', { ...props, type: 'text' });
  field.value = input.value || '';
  const list = element('datalist', { id: `${id}-suggestions` });
  const fill = (items) => {
    list.replaceChildren(...items.map((item) => element('option', { value: item.text })));
  };
  if (input.initialSuggestions) fill(input.initialSuggestions.items || []);
  if (input.initialSuggestions || input.autoCompleteAction) field.setAttribute('list', list.id);
  if (input.autoCompleteAction) {
    let timer;
    field.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const answer = await post(actionRequest(input.autoCompleteAction));
        const suggestions =
          answer.result &&
          answer.result.json &&
          answer.result.json.action &&
          answer.result.json.action.suggestions;
        if (suggestions) fill(suggestions.items || []);
      }, 250);
    });
  }
  if (input.onChangeAction) field.addEventListener('change', () => runAction(input.onChangeAction));
  return element('div', { className: 'widget field' }, [
    input.label && element('label', { for: id, text: input.label }),
    field,
    list,
    input.hintText && element('div', { className: 'hint', text: input.hintText }),
  ]);
}

function renderSelection(input) {
  const label = input.label && element('div', { className: 'label', text: input.label });
  let body;
  if (input.type === 'DROPDOWN' || input.type === 'MULTI_SELECT') {
    const multi = input.type === 'MULTI_SELECT';
    body = element(
      'select',
      {
        'data-field': input.name,
        'data-kind': multi ? 'multi' : 'dropdown',
        multiple: multi,
        'aria-label': input.label || input.name,
      },
      input.items.map((item) =>
        element('option', { value: item.value, selected: item.selected, text: item.text }),
      ),
    );
    if (input.onChangeAction)
      body.addEventListener('change', () => runAction(input.onChangeAction));
  } else {
    const type = input.type === 'RADIO_BUTTON' ? 'radio' : 'checkbox';
    body = element(
      'div',
      {},
      input.items.map((item) => {
        const box = element('input', {
          type,
          name: input.name,
          value: item.value,
          checked: item.selected,
          'data-field': input.name,
          'data-kind': 'choice',
          role: input.type === 'SWITCH' ? 'switch' : undefined,
        });
        if (input.onChangeAction)
          box.addEventListener('change', () => runAction(input.onChangeAction));
        return element('label', { className: 'choice' }, [box, item.text]);
      }),
    );
  }
  return element('div', { className: 'widget field' }, [label, body]);
}

function renderDate(picker) {
  const type =
    picker.type === 'DATE_ONLY' ? 'date' : picker.type === 'TIME_ONLY' ? 'time' : 'datetime-local';
  const field = element('input', {
    type,
    'data-field': picker.name,
    'data-kind': 'date',
    'aria-label': picker.label || picker.name,
  });
  if (picker.valueMsEpoch) {
    const iso = new Date(Number(picker.valueMsEpoch)).toISOString();
    field.value =
      type === 'date' ? iso.slice(0, 10) : type === 'time' ? iso.slice(11, 16) : iso.slice(0, 16);
  }
  if (picker.onChangeAction)
    field.addEventListener('change', () => runAction(picker.onChangeAction));
  return element('label', { className: 'widget field' }, [
    picker.label && element('span', { className: 'label', text: picker.label }),
    field,
  ]);
}

function renderGrid(grid) {
  const items = grid.items.map((item) =>
    element(
      'div',
      {
        className: 'grid-item',
        role: 'button',
        onClick:
          grid.onClick && grid.onClick.action
            ? () =>
                runAction({
                  ...grid.onClick.action,
                  parameters: [
                    ...(grid.onClick.action.parameters || []),
                    { key: 'grid_item_identifier', value: item.id || '' },
                  ],
                })
            : undefined,
      },
      [
        item.image && element('img', { src: item.image.imageUri, alt: item.image.altText || '' }),
        item.title && element('div', { text: item.title }),
        item.subtitle && element('div', { className: 'label', text: item.subtitle }),
      ],
    ),
  );
  const node = element('div', { className: 'widget grid' }, items);
  node.style.gridTemplateColumns = `repeat(${grid.columnCount || 2}, 1fr)`;
  return element('div', {}, [
    grid.title && element('div', { className: 'label', text: grid.title }),
    node,
  ]);
}

function renderSection(section) {
  const widgets = section.widgets.map(renderWidget);
  const node = element('section', { className: 'section' }, [
    section.header &&
      element('div', { className: 'section-header' }, formattedText(section.header)),
  ]);
  if (!section.collapsible) {
    node.append(...widgets);
    return node;
  }
  const shown = section.uncollapsibleWidgetsCount || 0;
  const hidden = widgets.slice(shown);
  node.append(...widgets.slice(0, shown));
  const extra = element('div', { hidden: true }, hidden);
  const toggle = element('button', {
    type: 'button',
    className: 'more',
    text: 'Show more',
    'aria-expanded': 'false',
  });
  toggle.addEventListener('click', () => {
    extra.hidden = !extra.hidden;
    toggle.textContent = extra.hidden ? 'Show more' : 'Show less';
    toggle.setAttribute('aria-expanded', String(!extra.hidden));
  });
  node.append(extra, toggle);
  return node;
}

function render() {
  const card = state.stack[state.stack.length - 1];
  const area = $('card-area');
  const footer = $('footer-area');
  area.replaceChildren();
  footer.replaceChildren();
  if (!card) return;
  const header = card.header || { title: state.context.addon.name };
  const back =
    state.stack.length > 1
      ? element('button', {
          type: 'button',
          className: 'icon-button back',
          'aria-label': 'Back',
          text: '←',
          onClick: () => {
            state.stack.pop();
            render();
          },
        })
      : null;
  const image = header.imageUrl
    ? element('img', {
        src: header.imageUrl,
        alt: header.imageAltText || '',
        className: header.imageType === 'CIRCLE' ? 'circle' : '',
      })
    : null;
  const article = element(
    'article',
    { className: `card${card.isError ? ' error-card' : ''}`, 'aria-label': header.title },
    [
      element('div', { className: 'card-header' }, [
        back,
        image,
        element('div', {}, [
          element(
            'div',
            { className: 'card-title', role: 'heading', 'aria-level': '2' },
            formattedText(header.title),
          ),
          header.subtitle &&
            element('div', { className: 'card-subtitle' }, formattedText(header.subtitle)),
        ]),
      ]),
      ...(card.sections || []).map(renderSection),
    ],
  );
  area.append(article);
  if (card.fixedFooter) {
    if (card.fixedFooter.secondaryButton)
      footer.append(renderButton(card.fixedFooter.secondaryButton));
    footer.append(renderButton({ type: 'FILLED', ...card.fixedFooter.primaryButton }));
  }
  renderMenu(card);
}

function renderMenu(card) {
  const menu = $('menu');
  const entries = [
    ...(card.cardActions || []).map((item) => ({
      label: item.actionLabel,
      run: onClickHandler(item.onClick),
    })),
    ...state.context.addon.universalActions.map((label, index) => ({
      label,
      run: () => runUniversal(index),
    })),
  ];
  menu.replaceChildren(
    ...entries.map((entry) =>
      element(
        'li',
        { role: 'none' },
        element('button', {
          type: 'button',
          role: 'menuitem',
          text: entry.label,
          onClick: (event) => {
            menu.hidden = true;
            entry.run(event);
          },
        }),
      ),
    ),
  );
}

function notify(text) {
  const bar = $('snackbar');
  bar.textContent = text;
  bar.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => {
    bar.hidden = true;
  }, 6000);
}

function errorCard(error) {
  return {
    isError: true,
    header: { title: state.context.addon.name },
    sections: [
      {
        widgets: [
          { textParagraph: { text: '<b>Error with the add-on.</b>' } },
          { textParagraph: { text: 'Run time error.' } },
          { textParagraph: { text: `${error.name}: ${error.message}`.replace(/</g, '&lt;') } },
        ],
      },
    ],
  };
}

function showDeveloperInfo(answer) {
  $('dev-logs').textContent = (answer.logs || [])
    .map((entry) => `[${entry.level}] ${entry.message}`)
    .join('\n');
  $('dev-error').textContent = answer.error
    ? answer.error.stack || `${answer.error.name}: ${answer.error.message}`
    : '';
  $('dev-json').textContent = answer.result ? JSON.stringify(answer.result.json, null, 2) : '';
  $('dev-summary').textContent = answer.functionName
    ? `— ${answer.functionName}: ${answer.cpuMs} ms script, ${answer.modelledMs} ms modelled${answer.error ? ', failed' : ''}`
    : '';
}

/** Applies what a function returned to the card stack. */
function apply(answer, opening) {
  showDeveloperInfo(answer);
  if (answer.error) {
    if (opening) state.stack = [];
    state.stack.push(errorCard(answer.error));
    render();
    return;
  }
  const { type, json } = answer.result;
  if (type === 'Card' || type === 'Card[]') {
    const cards = [].concat(json);
    state.stack = opening ? cards : state.stack.concat(cards);
  } else if (json && json.renderActions) {
    const action = json.renderActions.action || {};
    if (opening) state.stack = [];
    for (const step of action.navigations || []) {
      if (step.pushCard) state.stack.push(step.pushCard);
      else if (step.updateCard) state.stack[Math.max(0, state.stack.length - 1)] = step.updateCard;
      else if (step.popCard) {
        if (state.stack.length > 1) state.stack.pop();
      } else if (step.popToRoot) state.stack = state.stack.slice(0, 1);
      else if (step.popToCard) {
        const index = state.stack.map((card) => card.name).lastIndexOf(step.popToCard);
        if (index >= 0) state.stack = state.stack.slice(0, index + 1);
      }
    }
    if (action.notification) notify(action.notification.text);
    // The add-on's own notification, when it gave one, says what the link is for.
    if (action.link) openLink(action.link, Boolean(action.notification));
    if (json.renderActions.hostAppAction) {
      applyDraftUpdate(json.renderActions.hostAppAction);
      notify('The draft was updated.');
    }
  } else {
    notify(`The add-on returned ${type}, which the sidebar cannot show.`);
  }
  render();
}

async function post(body) {
  const response = await fetch('/api/run', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

function actionRequest(action) {
  const parameters = Object.fromEntries((action.parameters || []).map((p) => [p.key, p.value]));
  return {
    kind: 'action',
    surface: state.surface,
    functionName: action.function,
    parameters,
    formInputs: formInputs($('card-area')),
  };
}

async function perform(body, opening) {
  if (state.busy) return;
  state.busy = true;
  $('progress').hidden = false;
  document.body.setAttribute('aria-busy', 'true');
  try {
    apply(await post(body), opening);
  } catch (error) {
    notify(`The sidebar host refused the request: ${error.message}`);
  } finally {
    state.busy = false;
    $('progress').hidden = true;
    document.body.removeAttribute('aria-busy');
  }
}

function runAction(action) {
  return perform(actionRequest(action), false);
}

function runUniversal(index) {
  return perform({ kind: 'universal', surface: state.surface, index }, false);
}

/** Shows the recipients an UpdateDraftActionResponse added in the compose pane, as Gmail does. */
function applyDraftUpdate(hostAppAction) {
  const markup = (hostAppAction.gmailAction || {}).updateDraftActionMarkup || {};
  const draft = state.draft || (state.draft = { to: [], cc: [], bcc: [] });
  for (const field of ['to', 'cc', 'bcc']) {
    const key = `update${field[0].toUpperCase()}${field.slice(1)}Recipients`;
    const list = (markup[key] || {})[`${field}Recipients`] || [];
    for (const entry of list)
      if (!draft[field].includes(entry.email)) draft[field].push(entry.email);
  }
  renderPane(state.surface);
}

/** A demo person's display name (from the directory), or the address's local part. */
function displayName(email) {
  const profile = (state.context.profiles || {})[email];
  return (profile && profile.name) || email.split('@')[0].replace(/[._]/g, ' ');
}

/** "Name <address>" for the message header lines. */
function mailbox(email) {
  return `${displayName(email)} <${email}>`;
}

/** A picker entry: name, address and marks (admin, staff). */
function pickerText(email) {
  const profile = (state.context.profiles || {})[email] || { marks: [] };
  const marks = profile.marks && profile.marks.length > 0 ? ` · ${profile.marks.join(', ')}` : '';
  return `${profile.name ? `${profile.name} <${email}>` : email}${marks}`;
}

function renderPane(surface) {
  const pane = $('pane');
  if (surface.host === 'message') {
    pane.replaceChildren(
      element('h1', { text: 'Quarterly contacts review' }),
      element('div', { className: 'sender' }, [
        element('div', { className: 'avatar', text: displayName(surface.sender)[0].toUpperCase() }),
        element('div', {}, [
          element('b', { text: displayName(surface.sender) }),
          element('div', { className: 'label', text: `<${surface.sender}>` }),
          element('div', {
            className: 'label message-to',
            text: `To: ${mailbox(surface.user)}`,
          }),
          ...((surface.recipients || []).length > 0
            ? [
                element('div', {
                  className: 'label message-cc',
                  text: `Cc: ${surface.recipients.map(mailbox).join(', ')}`,
                }),
              ]
            : []),
        ]),
      ]),
      element('p', {
        text: 'Hi, could you share the customer contacts label with the team before Friday? Thanks!',
      }),
    );
  } else if (surface.host === 'compose') {
    pane.replaceChildren(
      element('h1', { text: 'New message' }),
      element('div', { className: 'compose' }, [
        element('div', {
          text: `To: ${(surface.recipients || []).concat((state.draft || {}).to || []).join(', ')}`,
        }),
        ...['cc', 'bcc']
          .filter((field) => ((state.draft || {})[field] || []).length > 0)
          .map((field) =>
            element('div', {
              text: `${field === 'cc' ? 'Cc' : 'Bcc'}: ${state.draft[field].join(', ')}`,
            }),
          ),
        element('div', { text: 'Subject:' }),
        element('div', { text: ' ' }),
      ]),
    );
  } else if (surface.host === 'calendar') {
    const days = Array.from({ length: 28 }, (_, i) => element('div', { text: String(i + 1) }));
    pane.replaceChildren(
      element('h1', { text: 'Calendar' }),
      element('div', { className: 'calendar' }, days),
    );
  } else if (surface.host === 'drive') {
    pane.replaceChildren(
      element('h1', { text: 'My Drive' }),
      element('p', { className: 'label', text: 'No file selected.' }),
    );
  } else {
    const rows = state.context.senders.slice(0, 8).map((sender, i) =>
      element('div', { className: 'mail-row' }, [
        element('b', { text: displayName(sender) }),
        element('span', {
          text: [
            'Quarterly contacts review',
            'Lunch on Thursday?',
            'Updated phone list',
            'Welcome aboard',
          ][i % 4],
        }),
      ]),
    );
    pane.replaceChildren(element('h1', { text: 'Inbox' }), ...rows);
  }
}

function openSurface() {
  state.draft = undefined;
  const recipients = $('recipients')
    .value.split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  const host = $('host').value;
  // An open message has someone in Cc unless the field says otherwise: a colleague of the sender.
  if (host === 'message' && recipients.length === 0) {
    const colleague = state.context.senders.find(
      (email) => email !== $('user').value && email !== $('sender').value,
    );
    if (colleague) recipients.push(colleague);
  }
  state.surface = {
    user: $('user').value,
    host,
    sender: $('sender').value,
    recipients,
  };
  $('sender-field').hidden = host !== 'message';
  $('recipients-field').hidden = host !== 'compose' && host !== 'message';
  $('recipients-label').textContent = host === 'message' ? 'Cc' : 'To';
  renderPane(state.surface);
  return perform({ kind: 'open', surface: state.surface }, true);
}

async function start() {
  state.context = await (await fetch('/api/context')).json();
  const { addon, users, senders } = state.context;
  document.documentElement.style.setProperty('--primary', addon.primaryColor);
  $('addon-name').textContent = addon.name;
  $('addon-logo').addEventListener('error', () => {
    $('addon-logo').hidden = true;
  });
  $('addon-logo').src = addon.logoUrl;
  const params = new URLSearchParams(location.search);
  $('user').replaceChildren(
    ...users.map((user) => element('option', { value: user, text: pickerText(user) })),
  );
  $('sender').replaceChildren(
    ...senders.map((sender) => element('option', { value: sender, text: mailbox(sender) })),
  );
  if (params.get('user')) $('user').value = params.get('user');
  if (params.get('host')) $('host').value = params.get('host');
  $('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    openSurface();
  });
  $('user').addEventListener('change', openSurface);
  $('host').addEventListener('change', openSurface);
  $('sender').addEventListener('change', openSurface);
  $('menu-button').addEventListener('click', () => {
    $('menu').hidden = !$('menu').hidden;
  });
  await openSurface();
}

start();
