"""The DICOMs view: the study list of the selected server, and a study's series.

One search runs at a time: a new search or page cancels the one before, and
opening another study cancels the series request of the last one, so a late
answer can never overwrite a newer one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from app.browser import dom, images
from app.browser.fetch_transport import FetchTransport
from app.dicomweb.client import DicomwebClient
from app.dicomweb.errors import DicomwebError
from app.dicomweb.query import InstanceQuery, Paging
from app.dicomweb.records import Series, Study
from app.dicomweb.urls import RenderOptions
from app.routing import DEFAULT_HASH, Route, study_hash
from app.server_access import endpoints_for
from app.settings.errors import SettingsError
from app.settings.model import RenderingProtocol
from app.settings.service import SettingsService
from app.study_list import PAGE_SIZE, SEARCH_FIELDS, StudyPage, page_of, query_for
from app.views import feedback
from app.views.viewport import Viewport

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = 64


class DicomsView:
    def __init__(self, service: SettingsService) -> None:
        self.service = service
        self.section = dom.by_id("view-dicoms")
        self.notices = dom.by_id("dicoms-notices")
        self.status = dom.by_id("study-status")
        self.rows = dom.by_id("study-rows")
        self.table = dom.by_id("study-table")
        self.series_panel = dom.by_id("series-panel")
        self.series_list = dom.by_id("series-list")
        self.previous = dom.by_id("page-previous")
        self.next = dom.by_id("page-next")
        self.search_task: asyncio.Task[Any] | None = None
        self.series_task: asyncio.Task[Any] | None = None
        self.page = StudyPage((), 0, has_more=False)
        self.studies: dict[str, Study] = {}
        self.searched_with: tuple[str, ...] | None = None
        self.open_study_uid = ""
        self.bound = False
        # Counts finished searches on the section (data-searches), so scripts and
        # tests can wait for the answer of the search they started.
        self.finished_searches = 0
        self.viewport = Viewport()
        self.thumbnail_urls: list[str] = []

    # Showing -------------------------------------------------------------------------

    def show(self, route: Route) -> None:
        self.section.hidden = False
        if not self.bound:
            self.bind()
            self.bound = True
        # The first visit, and every visit after the server settings changed,
        # loads the list again.
        if self.searched_with != self.server_key():
            self.show_list()
            self.open_study_uid = ""
            self.search(offset=0)
        if route.study_uid:
            if route.study_uid != self.open_study_uid:
                self.open_study(route.study_uid)
        else:
            self.show_list()

    def hide(self) -> None:
        self.section.hidden = True

    def bind(self) -> None:
        report = feedback.reporter(self.notices)
        form = dom.by_id("study-search")

        def submit(event: Any) -> None:
            event.preventDefault()
            self.search(offset=0)

        dom.on(form, "submit", submit, report)
        dom.on(self.previous, "click", lambda _e: self.turn(-PAGE_SIZE), report)
        dom.on(self.next, "click", lambda _e: self.turn(PAGE_SIZE), report)
        dom.on(self.rows, "click", self.on_row_click, report)
        dom.on(self.rows, "keydown", self.on_row_key, report)
        dom.on(
            dom.by_id("back-to-studies"),
            "click",
            lambda _e: dom.set_location_hash(DEFAULT_HASH),
            report,
        )

    def server_key(self) -> tuple[str, ...]:
        selected = self.service.state.selected
        if selected is None:
            return ()
        return (selected.server.server_id, repr(selected.server))

    # Searching -----------------------------------------------------------------------

    def form_values(self) -> dict[str, str]:
        form = dom.by_id("study-search")
        return {
            name: str(form.elements.namedItem(name).value) for name in SEARCH_FIELDS
        }

    def search(self, offset: int) -> None:
        self.searched_with = self.server_key()
        self.search_task = self.restart(self.search_task, self.counted(offset))

    async def counted(self, offset: int) -> None:
        try:
            await self.load_page(offset)
        finally:
            self.finished_searches += 1
            self.section.dataset.searches = str(self.finished_searches)

    def turn(self, step: int) -> None:
        self.search(max(0, self.page.offset + step))

    def restart(
        self, task: asyncio.Task[Any] | None, work: Coroutine[Any, Any, None]
    ) -> asyncio.Task[Any]:
        if task is not None and not task.done():
            task.cancel()
        return dom.spawn(work, feedback.reporter(self.notices))

    def client(self) -> DicomwebClient | None:
        selected = self.service.state.selected
        if selected is None:
            self.tell(feedback.error("No server is selected. Choose one in Settings."))
            return None
        server = selected.server
        try:
            auth = self.service.auth_for(server.server_id)
        except SettingsError as error:
            self.tell(feedback.error(f"{error} Open Settings > Servers to enter it."))
            return None
        return DicomwebClient(endpoints_for(server, auth), FetchTransport())

    async def load_page(self, offset: int) -> None:
        dom.clear(self.notices)
        try:
            query = query_for(self.form_values(), offset)
        except DicomwebError as error:
            self.tell(feedback.error(error.user_message()))
            return
        client = self.client()
        if client is None:
            self.show_page(StudyPage((), 0, has_more=False), searched=False)
            return
        self.status.textContent = "Searching…"
        self.previous.disabled = self.next.disabled = True
        try:
            studies = await client.search_studies(query)
        except DicomwebError as error:
            self.status.textContent = ""
            self.tell(feedback.error(error.user_message()))
            return
        self.show_page(page_of(studies, offset), searched=True)

    def show_page(self, page: StudyPage, searched: bool) -> None:
        self.page = page
        self.studies = {study.study_instance_uid: study for study in page.studies}
        dom.clear(self.rows)
        for study in page.studies:
            self.rows.append(self.study_row(study))
        self.table.hidden = not page.studies
        self.status.textContent = page.describe() if searched else ""
        self.previous.disabled = page.offset == 0
        self.next.disabled = not page.has_more

    @staticmethod
    def study_row(study: Study) -> Any:
        row = dom.create("tr", tabindex="0")
        row.dataset.uid = study.study_instance_uid
        counts = f"{study.number_of_series or '–'} / {study.number_of_instances or '–'}"
        for text in (
            study.patient_name,
            study.patient_id,
            study.study_date,
            study.study_description,
            ", ".join(study.modalities),
            study.accession_number,
            counts,
        ):
            row.append(dom.create("td", text))
        return row

    def tell(self, message: feedback.Message) -> None:
        feedback.render(self.notices, (message,))

    # A study's series ----------------------------------------------------------------

    def on_row_click(self, event: Any) -> None:
        # Through the address, so Back returns to the list and reload keeps the study.
        row = event.target.closest("tr")
        if row is not None and row.dataset.uid:
            dom.set_location_hash(study_hash(str(row.dataset.uid)))

    def on_row_key(self, event: Any) -> None:
        if event.key in ("Enter", " "):
            event.preventDefault()
            self.on_row_click(event)

    def show_list(self) -> None:
        """Back from a study to the list, as it was."""
        self.open_study_uid = ""
        self.viewport.stop()
        dom.by_id("study-view").hidden = True
        dom.by_id("study-list-area").hidden = False
        selected = self.rows.querySelector('tr[aria-selected="true"]')
        if selected is not None:
            selected.focus()

    def open_study(self, study_uid: str) -> None:
        # The study takes the page; the list keeps its search and page for Back.
        self.open_study_uid = study_uid
        dom.by_id("study-list-area").hidden = True
        dom.by_id("study-view").hidden = False
        dom.window.scrollTo(0, 0)
        for row in self.rows.children:
            selected = "true" if row.dataset.uid == study_uid else "false"
            row.setAttribute("aria-selected", selected)
        self.series_task = self.restart(self.series_task, self.load_series(study_uid))

    async def load_series(self, study_uid: str) -> None:
        client = self.client()
        if client is None:
            return
        study = self.studies.get(study_uid)
        title = "Series"
        if study is not None:
            title = f"Series of {study.patient_name or 'the study'}"
            if study.study_date:
                title += f", {study.study_date}"
        dom.by_id("series-title").textContent = title
        self.forget_thumbnails()
        dom.clear(self.series_list)
        self.series_panel.hidden = False
        self.series_list.append(dom.create("li", "Loading…", class_="muted"))
        try:
            series = await client.search_series(study_uid)
        except DicomwebError as error:
            dom.clear(self.series_list)
            self.tell(feedback.error(error.user_message()))
            return
        dom.clear(self.series_list)
        if not series:
            self.series_list.append(dom.create("li", "This study has no series."))
            return
        ordered = sorted(series, key=series_order)
        items = [self.series_item(client, study, item) for item in ordered]
        # The first series opens at once, as readers expect; the others load
        # nothing but a thumbnail until they are opened (lazy loading).
        self.open_series(client, study, ordered[0], items[0])
        await asyncio.gather(
            *(
                self.load_thumbnail(client, item, element)
                for item, element in zip(ordered, items, strict=True)
            ),
            return_exceptions=True,
        )

    def series_item(
        self, client: DicomwebClient, study: Study | None, series: Series
    ) -> Any:
        item = dom.create("li")
        item.dataset.uid = series.series_instance_uid
        button = dom.create("button", type="button")
        button.append(dom.create("img", alt="", width="64", height="64"))
        button.append(dom.create("span", describe_series(series)))
        item.append(button)
        self.series_list.append(item)
        dom.on(
            button,
            "click",
            lambda _event: self.open_series(client, study, series, item),
            feedback.reporter(self.notices),
        )
        return item

    def open_series(
        self, client: DicomwebClient, study: Study | None, series: Series, item: Any
    ) -> None:
        if self.viewport.is_showing(series.series_instance_uid):
            return
        for other in self.series_list.children:
            other.setAttribute("aria-current", "true" if other is item else "false")
        who = study.patient_name if study else ""
        title = f"{who} — {describe_series(series)}" if who else describe_series(series)
        selected = self.service.state.selected
        wado = selected is not None and (
            selected.server.image_rendering is RenderingProtocol.WADO
        )
        self.viewport.open(
            client,
            series.study_instance_uid,
            series.series_instance_uid,
            title,
            use_wado_uri=wado,
        )

    async def load_thumbnail(
        self, client: DicomwebClient, series: Series, item: Any
    ) -> None:
        """A small rendered image of the series' first instance (PS3.18 rendered)."""
        selected = self.service.state.selected
        protocol = selected.server.thumbnail_rendering if selected else None
        options = RenderOptions(viewport=(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        try:
            instances = await client.search_instances(
                series.study_instance_uid,
                series.series_instance_uid,
                InstanceQuery(paging=Paging(limit=1)),
            )
            if not instances:
                return
            uid = instances[0].sop_instance_uid
            if protocol is RenderingProtocol.WADO:
                image = await client.retrieve_rendered_uri(
                    series.study_instance_uid,
                    series.series_instance_uid,
                    uid,
                    options=options,
                )
            else:
                image = await client.retrieve_rendered(
                    series.study_instance_uid,
                    series.series_instance_uid,
                    uid,
                    options=options,
                )
        except DicomwebError as error:
            # A missing thumbnail is not worth an alarm; the series still opens.
            logger.info("no thumbnail: %s", error.user_message())
            return
        url = images.object_url(image.data, image.media_type)
        self.thumbnail_urls.append(url)
        item.querySelector("img").src = url

    def forget_thumbnails(self) -> None:
        for url in self.thumbnail_urls:
            images.revoke(url)
        self.thumbnail_urls.clear()


def series_order(series: Series) -> tuple[int, str]:
    return (series.series_number or 0, series.series_instance_uid)


def describe_series(series: Series) -> str:
    number = f"#{series.series_number} " if series.series_number is not None else ""
    count = series.number_of_instances
    images = (
        f" — {count} instance{'s' if count != 1 else ''}" if count is not None else ""
    )
    return f"{number}{series.modality} {series.series_description}".strip() + images
