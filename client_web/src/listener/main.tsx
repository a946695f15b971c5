import { render } from "preact";
import "../styles/base.css";
import "../styles/staff.css";
import { enableSoundOnFirstGesture } from "../shared/sound";
import { ListenerApp } from "./ListenerApp";

enableSoundOnFirstGesture();
render(<ListenerApp />, document.getElementById("app") as HTMLElement);
