"""French first names, family names and streets of the Lyon area, for demo and scale data."""

from __future__ import annotations

FIRST_NAMES_F = [
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Christine", "Valérie", "Céline", "Sophie",
    "Émilie", "Julie", "Aurélie", "Camille", "Léa", "Manon", "Chloé", "Inès", "Fatima", "Aïcha", "Yasmina",
    "Amina", "Khadija", "Nadia", "Samira", "Leïla", "Hélène", "Françoise", "Monique", "Josiane", "Anaïs", "Zoé",
    "Maëlle", "Océane", "Noémie", "Thi Lan", "Mei", "Ana", "Fernanda", "Aminata", "Fatoumata", "Élodie",
]  # fmt: skip
FIRST_NAMES_M = [
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Stéphane", "Laurent", "Frédéric",
    "David", "Julien", "Thomas", "Kévin", "Lucas", "Hugo", "Théo", "Mohamed", "Karim", "Rachid", "Mehdi",
    "Youssef", "Bilal", "Sofiane", "Mamadou", "Ibrahima", "Moussa", "Jean-Pierre", "Jean-Luc", "Marc-Antoine",
    "François", "Jérôme", "Gaël", "Noël", "Loïc", "Raphaël", "João", "Antonio", "Van Minh", "Hervé", "Rémi",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Benali",
    "Benmansour", "Bouaziz", "Haddad", "Khelifi", "Mebarki", "Saïdi", "Traoré", "Diallo", "N'Diaye", "Diop",
    "Camara", "Koné", "Nguyen", "Tran", "Pham", "Da Silva", "Ferreira", "Rodrigues", "Pereira", "Yilmaz",
    "Kaya", "Öztürk", "Boyer", "Chabert", "Brun", "Reynaud", "Besson", "Collomb", "Perret", "Jacquet",
    "Gonçalves", "Le Gall", "Le Roux", "D'Angelo", "Saint-Martin", "Pétillon", "Crépieux", "Œuvray",
]  # fmt: skip
STREETS = [
    "avenue Jean-Jaurès", "boulevard Ambroise-Croizat", "rue Gabriel-Péri", "rue Paul-Bert", "avenue de la République",
    "rue Jules-Ferry", "boulevard Laurent-Gérin", "rue Louis-Pergaud", "avenue Marcel-Houël", "rue Émile-Zola",
    "rue Victor-Hugo", "place Léon-Sublet", "rue du Moulin-à-Vent", "avenue d'Oschatz", "rue Professeur-Roux",
    "chemin du Charbonnier", "rue Anatole-France", "boulevard Irène-Joliot-Curie", "rue Eugène-Maréchal",
    "rue Henri-Barbusse", "allée des Érables", "rue Parmentier", "impasse des Églantiers", "rue de la Paix",
]  # fmt: skip
EMAIL_DOMAINS = ["orange.fr", "free.fr", "gmail.com", "laposte.net", "sfr.fr", "hotmail.fr", "yahoo.fr", "wanadoo.fr"]
