/** This file defines the homepage card: what the add-on is and, later, the user's shared labels. */

/** Builds the homepage card shown in Gmail, Calendar and Drive. */
export function buildHomepageCard(): GoogleAppsScript.Card_Service.Card {
  return CardService.newCardBuilder()
    .setHeader(CardService.newCardHeader().setTitle('Shared Contacts'))
    .addSection(
      CardService.newCardSection()
        .addWidget(
          CardService.newTextParagraph().setText(
            'Share contact labels with colleagues in your domain. Shared contacts stay in sync in ' +
              "everyone's Google Contacts, Gmail autocomplete and phones.",
          ),
        )
        .addWidget(
          CardService.newButtonSet().addButton(
            CardService.newTextButton()
              .setText('About Shared Contacts')
              .setOnClickAction(
                CardService.newAction()
                  .setFunctionName('onAction')
                  .setParameters({ action: 'showAbout' }),
              ),
          ),
        ),
    )
    .build();
}
