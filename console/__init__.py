"""The console: the web application of the people who are not citizens (helpers at a service
centre, KB admins). It talks to the assistant only through Rasa's HTTP API and the shared stores,
and to the knowledge base through `procedures_kb`; nothing here imports `bot`.
"""
