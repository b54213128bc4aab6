/**
 * Tests of the CardService fake, in process: the card JSON it produces (card.proto field names,
 * as printJson shows them) and the limits Apps Script enforces (FACTS.md: 100 sections, 100
 * widgets per section, a widget per section, a fixed footer's primary button, a field name for
 * inputs, 100 static items of a SelectionInput).
 */
import { createCardService } from '../../../src/emulator/gas/card-service';

const CS = createCardService();
const paragraph = (text = 'text') => CS.newTextParagraph().setText(text);
const section = (widgets = 1) => {
  const built = CS.newCardSection();
  for (let i = 0; i < widgets; i++) built.addWidget(paragraph(`w${i}`));
  return built;
};
const action = (name: string, parameters: Record<string, string> = {}) =>
  CS.newAction().setFunctionName(name).setParameters(parameters);

describe('CardService', () => {
  it('builds the card JSON of a full card', () => {
    const card = CS.newCardBuilder()
      .setName('about')
      .setHeader(
        CS.newCardHeader()
          .setTitle('About')
          .setSubtitle('Shared Contacts')
          .setImageUrl('https://x/i.png')
          .setImageStyle(CS.ImageStyle.CIRCLE),
      )
      .addSection(
        CS.newCardSection()
          .setHeader('Details')
          .setCollapsible(true)
          .setNumUncollapsibleWidgets(1)
          .addWidget(
            CS.newDecoratedText()
              .setTopLabel('Owner')
              .setText('ann@a.example')
              .setStartIcon(CS.newIconImage().setIcon(CS.Icon.PERSON))
              .setWrapText(true),
          )
          .addWidget(
            CS.newButtonSet().addButton(
              CS.newTextButton()
                .setText('Open')
                .setTextButtonStyle(CS.TextButtonStyle.FILLED)
                .setOnClickAction(action('onAction', { action: 'open' })),
            ),
          )
          .addWidget(
            CS.newTextInput()
              .setFieldName('feedback')
              .setTitle('Feedback')
              .setMultiline(true)
              .setSuggestions(CS.newSuggestions().addSuggestion('Great')),
          )
          .addWidget(
            CS.newSelectionInput()
              .setFieldName('level')
              .setTitle('Level')
              .setType(CS.SelectionInputType.DROPDOWN)
              .addItem('View', 'view', true)
              .addItem('Edit', 'edit', false),
          )
          .addWidget(
            CS.newDatePicker()
              .setFieldName('when')
              .setTitle('When')
              .setValueInMsSinceEpoch(86_400_000),
          )
          .addWidget(
            CS.newGrid()
              .setTitle('Labels')
              .setNumColumns(2)
              .addItem(CS.newGridItem().setIdentifier('l1').setTitle('Team'))
              .setOnClickAction(action('onAction')),
          )
          .addWidget(CS.newImage().setImageUrl('https://x/p.png').setAltText('Picture'))
          .addWidget(CS.newDivider()),
      )
      .setFixedFooter(
        CS.newFixedFooter().setPrimaryButton(
          CS.newTextButton()
            .setText('Save')
            .setOnClickAction(action('onAction', { action: 'save' })),
        ),
      )
      .build();
    expect(JSON.parse(card.printJson())).toEqual({
      name: 'about',
      header: {
        title: 'About',
        subtitle: 'Shared Contacts',
        imageUrl: 'https://x/i.png',
        imageType: 'CIRCLE',
      },
      sections: [
        {
          header: 'Details',
          collapsible: true,
          uncollapsibleWidgetsCount: 1,
          widgets: [
            {
              decoratedText: {
                topLabel: 'Owner',
                text: 'ann@a.example',
                startIcon: { knownIcon: 'PERSON' },
                wrapText: true,
              },
            },
            {
              buttonList: {
                buttons: [
                  {
                    text: 'Open',
                    type: 'FILLED',
                    onClick: {
                      action: {
                        function: 'onAction',
                        parameters: [{ key: 'action', value: 'open' }],
                      },
                    },
                  },
                ],
              },
            },
            {
              textInput: {
                name: 'feedback',
                label: 'Feedback',
                type: 'MULTIPLE_LINE',
                initialSuggestions: { items: [{ text: 'Great' }] },
              },
            },
            {
              selectionInput: {
                name: 'level',
                label: 'Level',
                type: 'DROPDOWN',
                items: [
                  { text: 'View', value: 'view', selected: true },
                  { text: 'Edit', value: 'edit', selected: false },
                ],
              },
            },
            {
              dateTimePicker: {
                name: 'when',
                label: 'When',
                valueMsEpoch: '86400000',
                type: 'DATE_ONLY',
              },
            },
            {
              grid: {
                title: 'Labels',
                columnCount: 2,
                onClick: { action: { function: 'onAction' } },
                items: [{ id: 'l1', title: 'Team' }],
              },
            },
            { image: { imageUrl: 'https://x/p.png', altText: 'Picture' } },
            { divider: {} },
          ],
        },
      ],
      fixedFooter: {
        primaryButton: {
          text: 'Save',
          onClick: {
            action: { function: 'onAction', parameters: [{ key: 'action', value: 'save' }] },
          },
        },
      },
    });
  });

  it('builds navigation, notification and universal action responses', () => {
    const card = CS.newCardBuilder().addSection(section()).build();
    const response = CS.newActionResponseBuilder()
      .setNavigation(CS.newNavigation().popToRoot().pushCard(card))
      .setNotification(CS.newNotification().setText('Saved'))
      .build();
    expect(response.toCardJson()).toEqual({
      renderActions: {
        action: {
          navigations: [
            { popToRoot: true },
            { pushCard: { sections: [{ widgets: [{ textParagraph: { text: 'w0' } }] }] } },
          ],
          notification: { text: 'Saved' },
        },
      },
    });
    expect(
      CS.newNavigation().popCard().popToNamedCard('home').updateCard(card).toCardJson().navigations,
    ).toEqual([{ popCard: true }, { popToCard: 'home' }, { updateCard: card.toCardJson() }]);
    expect(
      CS.newUniversalActionResponseBuilder().displayAddOnCards([card]).build().toCardJson(),
    ).toEqual({
      renderActions: { action: { navigations: [{ pushCard: card.toCardJson() }] } },
    });
    expect(
      CS.newSuggestionsResponseBuilder()
        .setSuggestions(CS.newSuggestions().addSuggestions(['a', 'b']))
        .build()
        .toCardJson(),
    ).toEqual({
      action: { suggestions: { items: [{ text: 'a' }, { text: 'b' }] } },
    });
    const draft = CS.newUpdateDraftActionResponseBuilder()
      .setUpdateDraftToRecipientsAction(
        CS.newUpdateDraftToRecipientsAction().addUpdateToRecipients(['a@x.example']),
      )
      .build();
    expect(draft.toCardJson()).toEqual({
      renderActions: {
        hostAppAction: {
          gmailAction: {
            updateDraftActionMarkup: {
              updateToRecipients: { toRecipients: [{ email: 'a@x.example' }] },
            },
          },
        },
      },
    });
  });

  it('allows 100 sections and refuses 101', () => {
    const builder = CS.newCardBuilder();
    for (let i = 0; i < 100; i++) builder.addSection(section());
    expect(() => builder.build()).not.toThrow();
    builder.addSection(section());
    expect(() => builder.build()).toThrow('A card has 101 sections; at most 100 are allowed.');
  });

  it('allows 100 widgets in a section and refuses 101', () => {
    expect(() => CS.newCardBuilder().addSection(section(100)).build()).not.toThrow();
    expect(() => CS.newCardBuilder().addSection(section(101)).build()).toThrow(
      'A card section has 101 widgets; at most 100 are allowed.',
    );
  });

  it('refuses an empty card and an empty section', () => {
    expect(() => CS.newCardBuilder().build()).toThrow('A card must contain at least one section.');
    expect(() => CS.newCardBuilder().addSection(CS.newCardSection()).build()).toThrow(
      'A card section must contain at least one widget.',
    );
  });

  it('refuses a fixed footer without a primary button', () => {
    const footer = CS.newFixedFooter().setSecondaryButton(
      CS.newTextButton().setText('Later').setOnClickAction(action('later')),
    );
    expect(() => CS.newCardBuilder().addSection(section()).setFixedFooter(footer).build()).toThrow(
      'A fixed footer must have a primary button. Call setPrimaryButton.',
    );
  });

  it('refuses inputs without a field name', () => {
    const build = (widget: unknown) => () =>
      CS.newCardBuilder().addSection(CS.newCardSection().addWidget(widget)).build();
    expect(build(CS.newTextInput().setTitle('Name'))).toThrow(
      'TextInput is missing a field name. Call setFieldName.',
    );
    expect(build(CS.newSelectionInput().addItem('a', 'a', false))).toThrow(
      'SelectionInput is missing a field name. Call setFieldName.',
    );
    expect(build(CS.newDatePicker().setTitle('When'))).toThrow(
      'DatePicker is missing a field name. Call setFieldName.',
    );
  });

  it('allows 100 static items in a SelectionInput and refuses 101', () => {
    const input = CS.newSelectionInput().setFieldName('pick');
    for (let i = 0; i < 100; i++) input.addItem(`i${i}`, `v${i}`, false);
    expect(() => input.toCardJson()).not.toThrow();
    input.addItem('one more', 'x', false);
    expect(() => input.toCardJson()).toThrow(
      'SelectionInput "pick" has 101 items; at most 100 are allowed.',
    );
  });

  it('offers every selection type', () => {
    expect(Object.keys(CS.SelectionInputType)).toEqual([
      'CHECK_BOX',
      'RADIO_BUTTON',
      'DROPDOWN',
      'SWITCH',
      'MULTI_SELECT',
    ]);
  });

  it('throws Apps Script signature errors for wrong arguments', () => {
    const error = (() => {
      try {
        CS.newCardBuilder().addSection('not a section');
      } catch (thrown) {
        return thrown as Error;
      }
    })();
    expect(error?.name).toBe('Exception');
    expect(error?.message).toBe(
      "The parameters (String) don't match the method signature for CardService.CardBuilder.addSection.",
    );
    expect(() => CS.newAction().setParameters({ n: 1 })).toThrow(
      'Invalid argument: parameters. The value of "n" must be a string.',
    );
    expect(() => CS.newTextButton().setTextButtonStyle('SHINY')).toThrow(
      /TextButton\.setTextButtonStyle/,
    );
  });

  it('refuses a button without an action and an action without a function', () => {
    expect(() =>
      CS.newButtonSet().addButton(CS.newTextButton().setText('Go')).toCardJson(),
    ).toThrow('TextButton needs an action');
    expect(() => CS.newTextButton().setText('Go').setOnClickAction(CS.newAction())).toThrow(
      'Action is missing a function name',
    );
  });
});
